package dev.parley.devstack;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Owner-only files and folders. A file that will hold a secret is created with mode 600 <em>before</em> anything is
 * written into it (a temporary file in the same folder, moved into place once complete), so no other user can ever read
 * it, not even half written.
 */
final class PrivateFiles {

    static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> OWNER_RWX = PosixFilePermissions.fromString("rwx------");

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private PrivateFiles() {
    }

    /** Creates the folder (and missing parents) if absent and makes it mode 700. */
    static Path directory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            if (POSIX) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_RWX));
            } else {
                Files.createDirectories(dir);
            }
        }
        restrict(dir, OWNER_RWX);
        return dir;
    }

    /** Replaces {@code target} with {@code content}, never readable by anyone but the owner at any moment. */
    static void write(Path target, String content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = POSIX
                ? Files.createTempFile(dir, "." + target.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(OWNER_RW))
                : Files.createTempFile(dir, "." + target.getFileName(), ".tmp", new FileAttribute<?>[0]);
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(content.getBytes(StandardCharsets.UTF_8));
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        restrict(target, OWNER_RW);
    }

    /**
     * Makes an existing file mode 600 if it is not already. Returns true when its permissions had to be tightened.
     */
    static boolean ownerOnly(Path file) throws IOException {
        return restrict(file, OWNER_RW);
    }

    private static boolean restrict(Path path, Set<PosixFilePermission> wanted) throws IOException {
        if (!POSIX) {
            return false;
        }
        if (Files.getPosixFilePermissions(path).equals(wanted)) {
            return false;
        }
        Files.setPosixFilePermissions(path, wanted);
        return true;
    }
}
