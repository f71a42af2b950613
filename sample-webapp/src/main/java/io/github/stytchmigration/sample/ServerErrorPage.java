package io.github.stytchmigration.sample;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Jetty's server-level error page, for what the connector refuses before the web app sees it (a URL
 * or headers over the size limit, a malformed request): a short page in the sample's words, without
 * the server's name or version, the message or the request. Errors inside the app get the web.xml
 * error page ({@code ErrorServlet}) instead.
 */
final class ServerErrorPage extends ErrorHandler {
    ServerErrorPage() {
        setShowStacks(false);
        setShowCauses(false);
        setShowMessageInTitle(false);
        setShowOrigin(false);
    }

    @Override
    protected boolean generateAcceptableResponse(Request request, Response response, Callback callback, String contentType,
                                                 List<Charset> charsets, int code, String message, Throwable cause)
            throws IOException {
        // the same HTML whatever the client accepts: Jetty's JSON and text forms carry its own details
        return super.generateAcceptableResponse(request, response, callback, "text/html", List.of(StandardCharsets.UTF_8),
                code, message, cause);
    }

    @Override
    protected void writeErrorHtml(Request request, Writer writer, Charset charset, int code, String message, Throwable cause)
            throws IOException {
        String title = code == 414 ? "Address too long" : code == 431 ? "Request too large" : code == 404 ? "Page not found"
                : code < 500 ? "Bad request" : "Something went wrong";
        String text = code == 414 ? "That address is too long to open. If it came from a login email, ask for a new link."
                : code == 431 ? "Your browser sent more than we accept. Clearing this site's cookies usually helps."
                : code < 500 ? "We could not read that request. Start again from the start page."
                : "Something went wrong on our side. Please try again in a minute.";
        writer.write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" + title
                + " · Acme Legacy</title>\n<link rel=\"stylesheet\" href=\"/static/app.css\">\n</head>\n<body>\n"
                + "<header><p class=\"brand\">Acme Legacy <span>· moving to Stytch</span></p></header>\n"
                + "<main id=\"main\">\n<h1 id=\"error-title\" data-status=\"" + code + "\">" + title + "</h1>\n<p>" + text
                + "</p>\n<p><a href=\"/\">Go to the start page</a></p>\n</main>\n</body>\n</html>\n");
    }
}
