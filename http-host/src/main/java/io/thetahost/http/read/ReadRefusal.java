package io.thetahost.http.read;

/**
 * Why a read request is not answered with content: the status, huggingface_hub's error code for it (sent as
 * {@code X-Error-Code}), and a message that says what was wrong and what to do. Each endpoint renders it in its own
 * form (text, JSON, a page).
 */
public final class ReadRefusal extends Exception {
    public static final String REPO_NOT_FOUND = "RepoNotFound";
    public static final String REVISION_NOT_FOUND = "RevisionNotFound";
    public static final String ENTRY_NOT_FOUND = "EntryNotFound";
    public static final String BAD_REQUEST = "BadRequest";

    private final int status;
    private final String code;
    private final boolean challenge;

    private ReadRefusal(int status, String code, String message, boolean challenge) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.challenge = challenge;
    }

    public static ReadRefusal of(int status, String code, String message) {
        return new ReadRefusal(status, code, message, false);
    }

    /** 401 with a challenge, so that a client that holds credentials sends them. */
    public static ReadRefusal unauthorized(String code, String message) {
        return new ReadRefusal(401, code, message, true);
    }

    public static ReadRefusal badRequest(String message) {
        return of(400, BAD_REQUEST, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Whether the answer carries {@code WWW-Authenticate}. */
    public boolean challenge() {
        return challenge;
    }
}
