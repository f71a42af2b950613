package io.github.stytchmigration.sample.web;

import io.nayuki.qrcodegen.QrCode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A QR code as an SVG {@code data:} URI, for an {@code <img>} the page's CSP allows ({@code img-src data:}).
 * The encoding is Nayuki's qrcodegen; this class only draws its modules, one unit square each, inside the
 * four-module quiet zone scanners expect.
 */
final class Qr {
    /** Modules of white around the code: the quiet zone of the QR specification. */
    static final int BORDER = 4;

    private Qr() {
    }

    /** The SVG of {@code text} encoded at error-correction level M (or higher when it fits as well). */
    static String svg(String text) {
        QrCode qr = QrCode.encodeText(text, QrCode.Ecc.MEDIUM);
        int size = qr.size + BORDER * 2;
        StringBuilder path = new StringBuilder(qr.size * qr.size * 6);
        for (int y = 0; y < qr.size; y++) {
            for (int x = 0; x < qr.size; x++) {
                if (qr.getModule(x, y)) {
                    path.append('M').append(x + BORDER).append(',').append(y + BORDER).append("h1v1h-1z");
                }
            }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + size + " " + size
                + "\" shape-rendering=\"crispEdges\"><rect width=\"" + size + "\" height=\"" + size
                + "\" fill=\"#fff\"/><path d=\"" + path + "\" fill=\"#000\"/></svg>";
    }

    static String svgDataUri(String text) {
        return "data:image/svg+xml;base64," + Base64.getEncoder().encodeToString(svg(text).getBytes(StandardCharsets.UTF_8));
    }
}
