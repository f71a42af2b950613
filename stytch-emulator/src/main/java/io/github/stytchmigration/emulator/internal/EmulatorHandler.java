package io.github.stytchmigration.emulator.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.stytchmigration.emulator.Fault;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.UrlEncoded;
import org.eclipse.jetty.util.URIUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single Jetty handler: counts the request, applies any injected fault, checks Basic
 * credentials, routes, waits at a hold when one applies, and writes the answer or Stytch's error body.
 */
final class EmulatorHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(EmulatorHandler.class);

    private final State state;
    private final Router router;
    private final byte[] expectedAuthorization;

    EmulatorHandler(State state, Router router, String projectId, String secret) {
        this.state = state;
        this.router = router;
        this.expectedAuthorization = ("Basic " + Base64.getEncoder().encodeToString(
                (projectId + ":" + secret).getBytes(StandardCharsets.ISO_8859_1))).getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        // Jetty keeps reserved characters encoded in the canonical path; the SDK sends '|' as %7C.
        String path = URIUtil.decodePath(Request.getPathInContext(request));
        state.countRequest(path);
        String requestId = state.ids().requestId();
        Optional<Fault> fault = state.takeFault(path);
        if (fault.isPresent() && applyFault(fault.get(), request, response, callback, requestId)) {
            return true;
        }
        Reply reply;
        try {
            reply = route(request, path, requestId);
        } catch (ApiException e) {
            reply = error(e.status(), requestId, e.errorType(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Unexpected error answering {} {}", request.getMethod(), path, e);
            reply = error(500, requestId, "internal_server_error", "Oops, something seems to have gone wrong.");
        }
        HoldGate hold = state.hold();
        if (hold != null) {
            hold.await(path); // outside the state lock: other requests go on meanwhile
        }
        write(reply, response, callback);
        return true;
    }

    /** Applies a fault; true when it already answered (or dropped) the request. */
    private boolean applyFault(Fault fault, Request request, Response response, Callback callback, String requestId) {
        if (fault.delayMillis() > 0) {
            try {
                Thread.sleep(fault.delayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                callback.failed(e);
                return true;
            }
        }
        if (fault.connectionReset()) {
            request.getConnectionMetaData().getConnection().getEndPoint().close();
            callback.failed(new EofException("connection reset by an injected fault"));
            return true;
        }
        if (fault.malformed()) {
            write(new Reply(200, "application/json", "{\"status_code\": 200, \"request_id\": <not json", null),
                    response, callback);
            return true;
        }
        if (fault.status() > 0) {
            write(error(fault.status(), requestId, fault.effectiveErrorType(), "Injected fault."), response, callback);
            return true;
        }
        return false;
    }

    private Reply route(Request request, String path, String requestId) {
        Router.Match match = router.match(request.getMethod(), path)
                .orElseThrow(() -> new ApiException(404, "route_not_found", "No API route matches " + path + "."));
        if (match.route().authenticated() && !authorized(request)) {
            throw new ApiException(401, "unauthorized_credentials", "Unauthorized credentials.");
        }
        ObjectNode body = body(request);
        Call call = new Call(request.getMethod(), path, match.params(), Request.extractQueryParameters(request),
                body, requestId, state.now());
        return match.route().locked() ? state.tx(() -> match.route().handler().apply(call))
                : match.route().handler().apply(call);
    }

    private boolean authorized(Request request) {
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        return header != null && MessageDigest.isEqual(header.getBytes(StandardCharsets.ISO_8859_1), expectedAuthorization);
    }

    private static ObjectNode body(Request request) {
        String method = request.getMethod();
        if (!"POST".equals(method) && !"PUT".equals(method)) {
            return Json.object();
        }
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        try {
            String raw = Content.Source.asString(request, StandardCharsets.UTF_8);
            // `curl -d '{...}'` labels JSON as a form: a body that starts with '{' is JSON, whatever the header says
            boolean form = contentType != null && contentType.startsWith("application/x-www-form-urlencoded");
            if (form && !raw.stripLeading().startsWith("{")) {
                ObjectNode fields = Json.object();
                UrlEncoded.decodeTo(raw, (name, value) -> {
                    if (!fields.has(name)) {
                        fields.put(name, value);
                    }
                }, StandardCharsets.UTF_8);
                return fields;
            }
            return Json.parseBody(raw);
        } catch (ApiException e) {
            throw e;
        } catch (Exception e) {
            throw new ApiException(400, "invalid_request_body", "The request body could not be read.");
        }
    }

    private static Reply error(int status, String requestId, String errorType, String message) {
        return new Reply(status, "application/json", Json.write(Views.error(status, requestId, errorType, message)), null);
    }

    private static void write(Reply reply, Response response, Callback callback) {
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (reply.location() != null) {
            response.getHeaders().put(HttpHeader.LOCATION, reply.location());
        }
        if (reply.contentType() != null) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
        }
        Content.Sink.write(response, true, reply.body() == null ? "" : reply.body(), callback);
    }
}
