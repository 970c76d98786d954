package io.thetahost.hooks.naming;

/** A repository or user name that is refused; the message says which name and which rule. */
public final class InvalidNameException extends IllegalArgumentException {
    public InvalidNameException(String message) {
        super(message);
    }
}
