package io.thetahost.protocol.transfer;

import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * The server's side of writing a response. The version line goes out before the first item; then the command's
 * lines, objects and progress in any order the command allows (the writer checks framing, not the command's rules:
 * {@link ResponseReader} holds the server to those); then {@link #finish()}, or {@link #error(String)}, which ends
 * the response. Free text (progress, reasons, messages) has control characters replaced by spaces and is cut to fit
 * one pkt-line.
 *
 * <p>Progress lines are flushed at once; everything else when the response ends. The underlying stream is never
 * closed. Not thread-safe.
 */
public final class ResponseWriter {
    private final PacketOutput out;
    private boolean started;
    private boolean finished;
    private ObjectOutput current;

    public ResponseWriter(OutputStream out) {
        this.out = new PacketOutput(out);
    }

    /** The lines of a {@code capabilities} response (then call {@link #finish()}). */
    public void advertise(ServerCapabilities capabilities) throws IOException {
        beginLine();
        out.line("version " + TransferProtocol.VERSION);
        StringBuilder commands = new StringBuilder("commands");
        capabilities.commands().forEach(c -> commands.append(' ').append(c.wireName()));
        out.line(commands.toString());
        StringBuilder encodings = new StringBuilder("encodings");
        capabilities.encodings().forEach(e -> encodings.append(' ').append(e.wireName()));
        out.line(encodings.toString());
        out.line("max-object-bytes " + capabilities.limits().maxObjectBytes());
        out.line("max-ids " + capabilities.limits().maxIds());
        out.line("max-objects " + capabilities.limits().maxObjects());
        if (capabilities.wantBases() > 1) {
            out.line("want-bases " + capabilities.wantBases());
        }
        if (capabilities.agent().isPresent()) {
            out.line("agent " + capabilities.agent().get());
        }
    }

    /** A {@code progress <text>} line, flushed so the client can show it now. */
    public void progress(String text) throws IOException {
        beginLine();
        out.line("progress " + Syntax.freeText("progress ", text));
        out.flush();
    }

    /** Lookup: {@code present <id> <dtype> <shape> <size>}. */
    public void present(TensorId id, DType dtype, Shape shape) throws IOException {
        long size = dtype.sizeOf(shape.elements());
        StringBuilder dims = new StringBuilder();
        for (long d : shape.dims()) {
            dims.append(dims.length() == 0 ? "" : ",").append(d);
        }
        beginLine();
        out.line("present " + id + " " + dtype.formatName() + " " + dims + " " + size);
    }

    /** Upload: {@code present <id>}, the object was already stored. */
    public void present(TensorId id) throws IOException {
        line("present", id);
    }

    /** Lookup or download: {@code missing <id>}. */
    public void missing(TensorId id) throws IOException {
        line("missing", id);
    }

    /** Upload: {@code stored <id>}. */
    public void stored(TensorId id) throws IOException {
        line("stored", id);
    }

    /** Upload: {@code rejected <id> <reason>}; the reason must not be empty. */
    public void rejected(TensorId id, String reason) throws IOException {
        Objects.requireNonNull(id, "id");
        if (reason == null || reason.isEmpty()) {
            throw new IllegalArgumentException("a rejection of " + id + " needs a reason");
        }
        beginLine();
        String prefix = "rejected " + id + " ";
        out.line(prefix + Syntax.freeText(prefix, reason));
    }

    /** Download: a dense object's header line; its {@code length} bytes go to the stream returned. */
    public OutputStream object(TensorId id, WireEncoding encoding, long length) throws IOException {
        return object(new EncodedObjectHeader(id, encoding, Optional.empty(), length));
    }

    /** Download: a patch's header line, naming its base; its {@code length} bytes go to the stream returned. */
    public OutputStream object(TensorId id, WireEncoding encoding, TensorId base, long length) throws IOException {
        return object(new EncodedObjectHeader(id, encoding, Optional.of(base), length));
    }

    /** Download: an object's header line; its {@code header.length()} bytes go to the stream returned. */
    public OutputStream object(EncodedObjectHeader header) throws IOException {
        beginLine();
        out.line("object " + header.id() + " " + header.encoding().wireName() + " " + header.length()
                + header.base().map(b -> " base " + b).orElse(""));
        current = new ObjectOutput(out, header.id(), header.length());
        return current;
    }

    /**
     * Ends the response with {@code error <message>} and the flush. During an object's body, a delim packet first
     * tells the client the body stops short (PROTOCOL.md, "Aborting an object").
     */
    public void error(String message) throws IOException {
        requireOpen();
        String text = message == null || message.isBlank() ? "internal error" : message;
        if (!started) {
            start();
        }
        if (current != null && !current.complete()) {
            // What was written goes out first, so the client's count of bytes received is the writer's.
            current.drain();
            out.delim();
        }
        current = null;
        out.line("error " + Syntax.freeText("error ", text));
        end();
    }

    /** Ends the response with its flush and flushes the stream; the last object must be complete. */
    public void finish() throws IOException {
        beginLine();
        end();
    }

    /** Whether the response has ended, by {@link #finish()} or {@link #error(String)}. */
    public boolean isFinished() {
        return finished;
    }

    private void line(String keyword, TensorId id) throws IOException {
        Objects.requireNonNull(id, "id");
        beginLine();
        out.line(keyword + " " + id);
    }

    private void beginLine() throws IOException {
        requireOpen();
        if (current != null) {
            current.requireComplete();
            current = null;
        }
        if (!started) {
            start();
        }
    }

    private void start() throws IOException {
        started = true;
        out.line(TransferProtocol.VERSION_LINE);
    }

    private void end() throws IOException {
        finished = true;
        out.flushPacket();
        out.flush();
    }

    private void requireOpen() {
        if (finished) {
            throw new IllegalStateException("the response is finished");
        }
    }
}
