package io.thetahost.hooks.receive.rules;

/** A rule a push must satisfy; each is one small class, and the chain in {@code PushChecks} runs them. */
public interface PushRule {
    /** The short id rejections name it by ({@code hooks/CHECKS.md}). */
    String id();
}
