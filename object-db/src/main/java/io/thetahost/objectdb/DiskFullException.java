package io.thetahost.objectdb;

import java.io.IOException;
import java.util.Locale;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * A write failed because the disk (or the user's quota) is full. Nothing that write was part of became visible; once
 * space is freed, writes succeed again without a restart.
 */
public final class DiskFullException extends IOException {
    public DiskFullException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether {@code t}, or what caused it, is a lack of space: this exception, RocksDB's NoSpace status, or an
     * operating system error ENOSPC or EDQUOT as Java reports it (an {@link IOException} with the C library's
     * message, which is all the JDK gives).
     */
    public static boolean causes(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof DiskFullException) {
                return true;
            }
            if (c instanceof RocksDBException r && r.getStatus() != null
                    && r.getStatus().getSubCode() == Status.SubCode.NoSpace) {
                return true;
            }
            String m = c.getMessage();
            if (m != null) {
                String lower = m.toLowerCase(Locale.ROOT);
                if (lower.contains("no space left on device") || lower.contains("disk quota exceeded")) {
                    return true;
                }
            }
        }
        return false;
    }
}
