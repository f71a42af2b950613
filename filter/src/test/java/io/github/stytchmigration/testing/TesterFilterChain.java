package io.github.stytchmigration.testing;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

/** Records whether the filter passed the request on, and with which request. */
public final class TesterFilterChain implements FilterChain {
    private ServletRequest passedOn;
    private int calls;

    @Override
    public void doFilter(ServletRequest request, ServletResponse response) {
        this.passedOn = request;
        this.calls++;
    }

    public boolean passedOn() {
        return calls > 0;
    }

    public int calls() {
        return calls;
    }

    public ServletRequest request() {
        return passedOn;
    }
}
