package io.github.stytchmigration.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 client on one keep-alive socket: GET only, body read and discarded. Far less
 * client-side work per request than the JDK {@code HttpClient}, which matters when client and server
 * share two cores. Reconnects when the server closes the connection. Not thread-safe: one per client.
 */
final class RawHttpClient implements Closeable {
    private final int port;
    private final byte[] hostLine;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    RawHttpClient(int port) {
        this(port, "");
    }

    /** @param headers more header lines sent with every request, each ending in CRLF (e.g. {@code Cookie: a=b\r\n}) */
    RawHttpClient(int port, String headers) {
        this.port = port;
        this.hostLine = ("Host: 127.0.0.1:" + port + "\r\n" + headers + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends {@code GET pathAndQuery} and returns the status code; retries once on a stale connection. */
    int get(String pathAndQuery) throws IOException {
        boolean fresh = socket == null;
        try {
            return exchange(pathAndQuery);
        } catch (IOException e) {
            close();
            if (fresh) {
                throw e;
            }
            return exchange(pathAndQuery);
        }
    }

    private int exchange(String pathAndQuery) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(30_000);
            in = new BufferedInputStream(socket.getInputStream(), 8192);
            out = new BufferedOutputStream(socket.getOutputStream(), 1024);
        }
        out.write(("GET " + pathAndQuery + " HTTP/1.1\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(hostLine);
        out.flush();

        String status = line();
        if (status == null || !status.startsWith("HTTP/1.1 ")) {
            throw new IOException("bad status line [" + status + "]");
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean closeAfter = false;
        String header;
        while ((header = line()) != null && !header.isEmpty()) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            if (name.equals("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                chunked = true;
            } else if (name.equals("connection") && value.equalsIgnoreCase("close")) {
                closeAfter = true;
            }
        }
        if (header == null) {
            throw new IOException("connection closed in headers");
        }
        if (chunked) {
            while (true) {
                String size = line();
                if (size == null) {
                    throw new IOException("connection closed in chunked body");
                }
                int semi = size.indexOf(';');
                long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (n == 0) {
                    while ((header = line()) != null && !header.isEmpty()) {
                        // trailers
                    }
                    break;
                }
                skip(n);
                line();
            }
        } else if (length > 0) {
            skip(length);
        } else if (length < 0) {
            closeAfter = true; // body until close: drain it
            while (in.read() >= 0) {
                // discard
            }
        }
        if (closeAfter) {
            close();
        }
        return code;
    }

    private void skip(long n) throws IOException {
        while (n > 0) {
            long skipped = in.skip(n);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new IOException("connection closed in body");
                }
                skipped = 1;
            }
            n -= skipped;
        }
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder(64);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int len = b.length();
                if (len > 0 && b.charAt(len - 1) == '\r') {
                    b.setLength(len - 1);
                }
                return b.toString();
            }
            b.append((char) c);
        }
        return b.length() == 0 ? null : b.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
            socket = null;
            in = null;
            out = null;
        }
    }
}
