package io.thetahost.hooks.transport;

/** Where hosts record one line per git request. */
public interface RequestLog {

    void record(RequestRecord record);

    RequestLog NONE = record -> { };
}
