package io.thetahost.protocol.transfer;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a {@code capabilities} response advertises: the commands and encodings the server speaks, its limits and,
 * optionally, its agent string. A client ignores names it does not know, so a later server may list more.
 *
 * @param commands the commands the server answers; always includes {@code capabilities}
 * @param encodings the encodings the server can decode in an upload and may send in a download; always includes dense
 * @param limits the server's limits
 * @param agent the server software, for logs ({@code thetahost/0.1}); printable ASCII without spaces
 * @param wantBases the most bases one want may name ({@code want-bases}; 1 where a server does not advertise it)
 */
public record ServerCapabilities(Set<Command> commands, Set<WireEncoding> encodings, TransferLimits limits,
        Optional<String> agent, int wantBases) {

    public ServerCapabilities {
        commands = Collections.unmodifiableSet(EnumSet.copyOf(requireNonEmpty(commands, "commands")));
        encodings = Collections.unmodifiableSet(EnumSet.copyOf(requireNonEmpty(encodings, "encodings")));
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(agent, "agent");
        if (!commands.contains(Command.CAPABILITIES)) {
            throw new IllegalArgumentException("every server answers the capabilities command");
        }
        if (!encodings.contains(WireEncoding.DENSE)) {
            throw new IllegalArgumentException("every server speaks the dense encoding");
        }
        if (agent.isPresent() && Syntax.capabilityProblem("agent", agent.get()) != null) {
            throw new IllegalArgumentException(Syntax.capabilityProblem("agent", agent.get()));
        }
        if (wantBases < 1) {
            throw new IllegalArgumentException("want-bases must be at least 1, not " + wantBases);
        }
    }

    /** Every command and encoding of version 1, with the given limits, no agent, and {@link Want#MAX_BASES}. */
    public static ServerCapabilities of(TransferLimits limits) {
        return new ServerCapabilities(EnumSet.allOf(Command.class), EnumSet.allOf(WireEncoding.class), limits,
                Optional.empty(), Want.MAX_BASES);
    }

    public ServerCapabilities withAgent(String agent) {
        return new ServerCapabilities(commands, encodings, limits, Optional.of(agent), wantBases);
    }

    private static <T> Set<T> requireNonEmpty(Set<T> set, String what) {
        if (Objects.requireNonNull(set, what).isEmpty()) {
            throw new IllegalArgumentException("no " + what);
        }
        return set;
    }
}
