package io.github.stytchmigration.emulator.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.eclipse.jetty.util.Fields;

/**
 * One API request as the handlers see it.
 *
 * @param method     HTTP method
 * @param path       decoded path, e.g. {@code /v1/users/auth0|abc}
 * @param params     decoded path parameters matched by the router, in order
 * @param query      query parameters
 * @param body       the JSON body ({} when empty); for form posts, the form fields as strings
 * @param requestId  this request's {@code request_id}
 * @param now        the time the request is handled, to the second
 */
record Call(String method, String path, List<String> params, Fields query, ObjectNode body,
            String requestId, Instant now) {

    String param(int index) {
        return params.get(index);
    }

    String queryValue(String name) {
        Fields.Field field = query.get(name);
        String value = field == null ? null : field.getValue();
        return value == null || value.isBlank() ? null : value;
    }
}
