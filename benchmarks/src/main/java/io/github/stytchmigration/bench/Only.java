package io.github.stytchmigration.bench;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * What {@code --only N[,N...]} selects: measurement numbers (a development aid; the table then lacks
 * the others), and {@code jmh} for the JMH part of measurement 1 alone. {@link #ALL} without the option.
 */
final class Only {
    static final Only ALL = new Only(null);

    private final Set<String> names;

    private Only(Set<String> names) {
        this.names = names;
    }

    /** "1,2", "4" or "jmh": numbers and names split on anything but letters and digits. */
    static Only parse(String list) {
        return new Only(Arrays.stream(list.split("\\W+")).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet()));
    }

    boolean includes(int number) {
        return includes(String.valueOf(number));
    }

    boolean includes(String name) {
        return names == null || names.contains(name);
    }

    /** Whether every one of the {@code count} measurements runs (then the run writes the chart). */
    boolean includesAll(int count) {
        return IntStream.rangeClosed(1, count).allMatch(this::includes);
    }
}
