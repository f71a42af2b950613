package io.github.stytchmigration.javax;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The javax jars as built (the thin jar, the one-jar drop-in and the sources): no class file, service file or
 * manifest may still name a jakarta type, and the public classes must be there, now on the javax Servlet API.
 * The jars are read as bytes, never loaded: a jakarta reference left in a method body would only fail at run
 * time in a Tomcat 9.
 */
class JavaxJarIT {
    private static final String[] JAKARTA = {"jakarta/", "jakarta."};

    private static Path jar(String property) {
        Path jar = Path.of(System.getProperty(property, "missing: run through mvn verify"));
        assertThat(jar).as(property).isRegularFile();
        return jar;
    }

    @Test
    void theThinJarNamesNoJakartaType() throws IOException {
        assertThat(jakartaReferences(jar("javax.jar"))).isEmpty();
    }

    @Test
    void theOneJarNamesNoJakartaType() throws IOException {
        assertThat(jakartaReferences(jar("javax.jar.all"))).isEmpty();
    }

    @Test
    void theSourcesNameNoJakartaType() throws IOException {
        assertThat(jakartaReferences(jar("javax.jar.sources"))).isEmpty();
    }

    @Test
    void carriesEveryPublicClassOnTheJavaxServletApi() throws IOException {
        try (ZipFile zip = new ZipFile(jar("javax.jar").toFile())) {
            for (String type : new String[] {"MigrationFilter", "SdkThreadsCleanupListener", "MigrationConfig",
                    "MigrationListener", "MigrationResult", "MigrationOutcome", "ErrorCode", "ConflictPolicy"}) {
                assertThat(zip.getEntry("io/github/stytchmigration/" + type + ".class")).as(type).isNotNull();
            }
            assertThat(text(zip, "io/github/stytchmigration/MigrationFilter.class")).contains("javax/servlet/Filter");
            assertThat(text(zip, "io/github/stytchmigration/SdkThreadsCleanupListener.class"))
                    .contains("javax/servlet/ServletContextListener");
        }
    }

    @Test
    void theOneJarKeepsItsDependenciesRelocatedAndSlf4jOutside() throws IOException {
        try (ZipFile zip = new ZipFile(jar("javax.jar.all").toFile())) {
            assertThat(zip.getEntry("io/github/stytchmigration/MigrationFilter.class")).isNotNull();
            assertThat(zip.getEntry("io/github/stytchmigration/shaded/com/stytch/java/consumer/StytchClient.class")).isNotNull();
            assertThat(zip.getEntry("io/github/stytchmigration/shaded/okhttp3/OkHttpClient.class")).isNotNull();
            List<String> outside = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (name.endsWith(".class") && !name.startsWith("io/github/stytchmigration/")
                        && !name.startsWith("META-INF/versions/")) {
                    outside.add(name);
                }
            }
            // kotlinx-coroutines' debugger stack-frame markers are looked up by that exact name
            assertThat(outside).allMatch(name -> name.startsWith("_COROUTINE/"));
            assertThat(zip.getEntry("org/slf4j/Logger.class")).as("SLF4J comes from the app").isNull();
            assertThat(text(zip, "META-INF/NOTICE")).contains("Stytch Java SDK");
            assertThat(text(zip, "META-INF/licenses/stytch-java-sdk-MIT.txt")).contains("Copyright (c) 2020 Stytch");
        }
    }

    /** Entries whose bytes name {@code jakarta/...} or {@code jakarta....}; Maven's own metadata and notices aside. */
    private static List<String> jakartaReferences(Path jar) throws IOException {
        List<String> found = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                String name = entry.getName();
                // the POM describes where the jar comes from; NOTICE names what a jakarta build would need
                if (entry.isDirectory() || name.startsWith("META-INF/maven/") || name.equals("META-INF/NOTICE")) {
                    continue;
                }
                String text = text(zip, name);
                for (String needle : JAKARTA) {
                    if (text.contains(needle) || name.contains(needle)) {
                        found.add(name + " names " + needle);
                        break;
                    }
                }
            }
        }
        return found;
    }

    /** The entry's bytes as ISO-8859-1, so names inside a class file's constant pool read as text. */
    private static String text(ZipFile zip, String name) throws IOException {
        try (InputStream in = zip.getInputStream(zip.getEntry(name))) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
