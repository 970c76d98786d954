package io.thetahost.hooks.receive;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.eclipse.jgit.transport.PreReceiveHook;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;

/**
 * Reads the push options ({@code git push -o}). Options in the {@code theta.} namespace are ours, so a misspelt one
 * rejects the push instead of being silently ignored; every other option is left to the hooks that want it.
 */
public final class PushOptionCheck implements PreReceiveHook {
    public static final String NAMESPACE = "theta.";
    public static final int MAX_OPTIONS = 100;

    private final Set<String> known;

    /** @param known the {@code theta.} option keys (the part before any '=') that some check understands */
    public PushOptionCheck(Set<String> known) {
        this.known = Set.copyOf(known);
    }

    @Override
    public void onPreReceive(ReceivePack rp, Collection<ReceiveCommand> commands) {
        List<String> options = rp.getPushOptions();
        if (options == null || options.isEmpty()) {
            return;
        }
        String problem = null;
        if (options.size() > MAX_OPTIONS) {
            problem = "too many push options (" + options.size() + ", at most " + MAX_OPTIONS + ")";
        } else {
            for (String option : options) {
                String key = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
                if (key.startsWith(NAMESPACE) && !known.contains(key)) {
                    problem = "unknown push option '" + key + "'" + (known.isEmpty()
                            ? ": this server knows no theta.* options yet"
                            : ": known options are " + String.join(", ", known.stream().sorted().toList()));
                    break;
                }
            }
        }
        if (problem != null) {
            rp.sendError(problem);
            for (ReceiveCommand c : commands) {
                c.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, problem);
            }
        }
    }
}
