package io.thetahost.hooks.receive.report;

import java.util.Objects;

/**
 * One thing a push may not do, as the pusher is told it: which rule, where (commit, path, parameter; each may be
 * absent), what is wrong, and what to do about it.
 *
 * @param rule the rule's short id, as {@code hooks/CHECKS.md} lists them
 * @param commit the abbreviated commit, or null for a rule about the ref itself
 * @param path the checkpoint's path, or null
 * @param parameter the parameter, or null
 * @param fix what to do next, or null; said once per rule however many violations share it
 */
public record Violation(String rule, String commit, String path, String parameter, String message, String fix) {
    public Violation {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(message, "message");
    }

    /** The line the pusher reads: {@code [rule] commit path parameter: message}. */
    public String line() {
        StringBuilder b = new StringBuilder("[").append(rule).append(']');
        for (String part : new String[] {commit, path, parameter}) {
            if (part != null) {
                b.append(' ').append(part);
            }
        }
        return b.append(": ").append(message).toString();
    }
}
