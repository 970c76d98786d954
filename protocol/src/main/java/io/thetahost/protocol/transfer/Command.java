package io.thetahost.protocol.transfer;

import java.util.Optional;

/** The commands of theta transfer version 1, each one request and one response. */
public enum Command {
    /** What the server speaks and its limits. Read access. */
    CAPABILITIES("capabilities"),
    /** Which of the given tensors the server holds, readable through the repository. Read access. */
    LOOKUP("lookup"),
    /** Encodings of the wanted tensors against ones the client has. Read access. */
    DOWNLOAD("download"),
    /** Stores encodings the client sends, after decoding and verifying each. Write access. */
    UPLOAD("upload");

    private final String wireName;

    Command(String wireName) {
        this.wireName = wireName;
    }

    /** The name in {@code command=<name>}. */
    public String wireName() {
        return wireName;
    }

    /** Whether the command changes the repository, so needs write access rather than read. */
    public boolean writes() {
        return this == UPLOAD;
    }

    public static Optional<Command> byWireName(String name) {
        for (Command c : values()) {
            if (c.wireName.equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
