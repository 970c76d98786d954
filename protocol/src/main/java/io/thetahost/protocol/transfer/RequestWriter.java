package io.thetahost.protocol.transfer;

import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The client's side of writing a request: {@link #start(TransferRequest)}, then for an upload
 * {@link #beginObject(TensorId, long)} for each object, then {@link #finish()}. It does not know the server's limits;
 * a client keeps to what {@code capabilities} advertised. The underlying stream is flushed by {@link #finish()} and
 * never closed: ending the input (closing SSH stdin, ending the HTTP body) is the transport's job.
 *
 * <p>An object written with other than its declared number of bytes is a {@link TransferProtocolException}; the
 * request is then unusable and the client should abandon the connection. Not thread-safe.
 */
public final class RequestWriter {
    private final PacketOutput out;
    private TransferRequest request;
    private ObjectOutput current;
    private long objects;
    private final Set<TensorId> objectIds = new HashSet<>();
    private boolean finished;

    public RequestWriter(OutputStream out) {
        this.out = new PacketOutput(out);
    }

    /** Writes the version, command, capabilities, delim and arguments. */
    public void start(TransferRequest request) throws IOException {
        Objects.requireNonNull(request, "request");
        if (this.request != null) {
            throw new IllegalStateException("the request was already started");
        }
        this.request = request;
        out.line(TransferProtocol.VERSION_LINE);
        out.line("command=" + request.command().wireName());
        for (Map.Entry<String, String> c : request.clientCapabilities().entrySet()) {
            out.line(c.getKey() + "=" + c.getValue());
        }
        out.delim();
        for (TensorId id : request.ids()) {
            out.line("id " + id);
        }
        for (Want w : request.wants()) {
            StringBuilder line = new StringBuilder("want ").append(w.id());
            if (!w.bases().isEmpty()) {
                line.append(" base");
                w.bases().forEach(b -> line.append(' ').append(b));
            }
            out.line(line.toString());
        }
        for (TensorId id : request.haves()) {
            out.line("have " + id);
        }
        if (request.objectCount().isPresent()) {
            out.line("objects " + request.objectCount().getAsLong());
        }
    }

    /**
     * Writes an upload object's header line and returns the stream its {@code length} bytes go to; they travel in
     * packets as they are written. The previous object must be complete.
     */
    public OutputStream beginObject(TensorId id, long length) throws IOException {
        Objects.requireNonNull(id, "id");
        requireOpen();
        if (request.command() != Command.UPLOAD) {
            throw new IllegalStateException("a " + request.command().wireName() + " request carries no objects");
        }
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length + " for object " + id);
        }
        completeCurrent();
        if (!objectIds.add(id)) {
            throw new IllegalArgumentException("object " + id + " is already part of this upload");
        }
        if (request.objectCount().isPresent() && objects == request.objectCount().getAsLong()) {
            throw new IllegalStateException("object " + id + " is one more than the "
                    + request.objectCount().getAsLong() + " the upload declared");
        }
        objects++;
        out.line("object " + id + " " + length);
        current = new ObjectOutput(out, id, length);
        return current;
    }

    /** Ends the request with its flush and flushes the stream; an upload must have sent every declared object. */
    public void finish() throws IOException {
        requireOpen();
        completeCurrent();
        if (request.objectCount().isPresent() && objects != request.objectCount().getAsLong()) {
            throw new IllegalStateException("the upload declared " + request.objectCount().getAsLong()
                    + " objects but " + objects + " were written");
        }
        finished = true;
        out.flushPacket();
        out.flush();
    }

    private void requireOpen() {
        if (request == null) {
            throw new IllegalStateException("start the request first");
        }
        if (finished) {
            throw new IllegalStateException("the request is finished");
        }
    }

    private void completeCurrent() throws TransferProtocolException {
        if (current != null) {
            current.requireComplete();
            current = null;
        }
    }
}
