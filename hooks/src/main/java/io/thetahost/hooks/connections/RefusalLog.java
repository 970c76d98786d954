package io.thetahost.hooks.connections;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs refused and shed connections at most once per source address and minute, with how many there were since the
 * last line: a flood of ten thousand connections writes a few lines, not ten thousand.
 */
public final class RefusalLog {
    private static final Logger LOG = LoggerFactory.getLogger(RefusalLog.class);
    private static final long MINUTE_NANOS = 60_000_000_000L;
    /** Addresses remembered at once; past it, the oldest are forgotten (their next refusal logs again). */
    private static final int MAX_ADDRESSES = 4096;

    private final String transport;
    private final Map<InetAddress, Window> windows = new HashMap<>();

    private static final class Window {
        final long startNanos;
        int suppressed;

        Window(long startNanos) {
            this.startNanos = startNanos;
        }
    }

    public RefusalLog(String transport) {
        this.transport = transport;
    }

    /** Records one refusal from {@code address}; logs it if this address has had no line this minute. */
    public void refused(InetAddress address, String reason) {
        long now = System.nanoTime();
        int earlier;
        synchronized (this) {
            Window w = windows.get(address);
            if (w != null && now - w.startNanos < MINUTE_NANOS) {
                w.suppressed++;
                return;
            }
            earlier = w == null ? 0 : w.suppressed;
            if (w == null && windows.size() >= MAX_ADDRESSES) {
                forgetOld(now);
            }
            windows.put(address, new Window(now));
        }
        if (earlier > 0) {
            LOG.warn("{}: {} from {} ({} more in the minute before)", transport, reason, address.getHostAddress(),
                    earlier);
        } else {
            LOG.warn("{}: {} from {}", transport, reason, address.getHostAddress());
        }
    }

    private void forgetOld(long now) {
        for (Iterator<Window> it = windows.values().iterator(); it.hasNext();) {
            if (now - it.next().startNanos >= MINUTE_NANOS) {
                it.remove();
            }
        }
        if (windows.size() >= MAX_ADDRESSES) {
            windows.clear();
        }
    }
}
