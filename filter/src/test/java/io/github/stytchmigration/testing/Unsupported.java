package io.github.stytchmigration.testing;

import java.lang.reflect.Proxy;

/** A servlet interface whose every method throws: the base that the small {@code Tester*} fakes wrap. */
final class Unsupported {
    private Unsupported() {
    }

    static <T> T of(Class<T> type) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (proxy, method, args) -> {
            if (method.getName().equals("toString")) {
                return "Unsupported " + type.getSimpleName();
            }
            throw new UnsupportedOperationException(type.getSimpleName() + "." + method.getName() + " is not faked");
        }));
    }
}
