package io.github.stytchmigration.emulator.internal;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.github.stytchmigration.emulator.OutboxMessage;
import io.github.stytchmigration.emulator.SessionRecord;
import io.github.stytchmigration.emulator.UserUpdate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The data directory: {@code state.json}, rewritten whole and atomically (temp file, fsync,
 * rename) whenever the state changed, so a killed emulator leaves the last complete state. A lock
 * file keeps a second emulator out of the same directory.
 */
public final class Store implements AutoCloseable {

    static final int VERSION = 1;
    static final String FILE = "state.json";

    /** Everything that survives a restart. Model objects are written field by field. */
    record Snapshot(int version, String projectId, List<Map<String, Object>> signingKeys,
                    List<Model.User> users, List<Model.Session> sessions, List<Model.MagicToken> magicTokens,
                    List<Model.OAuthToken> oauthTokens, List<Model.Otp> otps, List<OutboxMessage> outbox,
                    List<SessionRecord> revocations, List<UserUpdate> userUpdates) {
    }

    private final Path dir;
    private final Path file;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ObjectMapper mapper = mapper();
    private byte[] written = new byte[0];

    /** Opens (creating it when absent) and locks the directory. */
    public Store(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
        this.file = this.dir.resolve(FILE);
        try {
            Files.createDirectories(this.dir);
            lockChannel = FileChannel.open(this.dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the data directory [" + this.dir + "]", e);
        }
        FileLock acquired;
        try {
            acquired = lockChannel.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            acquired = null;
        }
        if (acquired == null) {
            closeQuietly(lockChannel);
            throw new IllegalStateException("data directory [" + this.dir + "] is in use by another emulator");
        }
        this.lock = acquired;
    }

    public Path dir() {
        return dir;
    }

    /** The saved state, or empty when the directory has none yet. */
    Optional<Snapshot> load() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            Snapshot snapshot = mapper.readValue(bytes, Snapshot.class);
            if (snapshot.version() != VERSION) {
                throw new IllegalStateException("[" + file + "] has version [" + snapshot.version()
                        + "]; this emulator reads version " + VERSION);
            }
            written = bytes;
            return Optional.of(snapshot);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read [" + file + "]", e);
        }
    }

    /** Writes the snapshot unless it equals what is already on disk. Call holding the state lock. */
    void save(Snapshot snapshot) {
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(snapshot);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the emulator state", e);
        }
        if (Arrays.equals(bytes, written)) {
            return;
        }
        Path temp = dir.resolve(FILE + ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write [" + file + "]", e);
        }
        written = bytes;
    }

    /** Releases the directory lock. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // the channel close below releases it too
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    /**
     * Reads and writes private fields (getters off), so the model classes need no annotations;
     * each model class has a private no-argument constructor for it. Instants as ISO-8601 text.
     */
    private static ObjectMapper mapper() {
        SimpleModule instants = new SimpleModule("instants");
        instants.addSerializer(Instant.class, ToStringSerializer.instance);
        instants.addDeserializer(Instant.class, new StdDeserializer<>(Instant.class) {
            @Override
            public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                return Instant.parse(p.getValueAsString());
            }
        });
        return JsonMapper.builder()
                .visibility(PropertyAccessor.GETTER, JsonAutoDetect.Visibility.NONE)
                .visibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
                .visibility(PropertyAccessor.SETTER, JsonAutoDetect.Visibility.NONE)
                .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .addModule(instants)
                .build();
    }
}
