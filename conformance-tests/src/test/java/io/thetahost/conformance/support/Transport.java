package io.thetahost.conformance.support;

/** The two ways git reaches the daemon. */
public enum Transport {
    SSH,
    HTTP
}
