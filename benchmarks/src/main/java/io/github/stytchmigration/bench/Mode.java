package io.github.stytchmigration.bench;

import java.util.Locale;

/** How big a run is: {@code --full} (the default) for the real figures, {@code --smoke} for tiny sizes in seconds. */
enum Mode {
    FULL,
    SMOKE;

    /** "full" or "smoke", as in the table's title and the JSON's {@code mode}. */
    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A measurement's sizes for this mode. */
    <T> T pick(T full, T smoke) {
        return this == FULL ? full : smoke;
    }
}
