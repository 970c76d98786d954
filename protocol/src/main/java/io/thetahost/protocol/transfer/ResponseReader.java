package io.thetahost.protocol.transfer;

import io.thetahost.protocol.pktline.Packet;
import io.thetahost.protocol.pktline.PacketType;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The client's side of reading a response: a pull parser yielding {@link ResponseEvent}s, made for the request it
 * answers so that it can hold the server to the protocol. It checks the version line; that only the command's lines
 * appear; that the server answers each requested id exactly once and in request order, all of them before the final
 * flush (unless it sends an {@code error}); that a downloaded patch names a base the client offered or received
 * earlier in the response; that an object fits the client's limit and is framed exactly; and that nothing follows the
 * final flush. {@code progress} lines may come anywhere.
 *
 * <p>A {@link TransferProtocolException} leaves the reader failed: later calls fail again. Not thread-safe.
 */
public final class ResponseReader {
    private static final ResponseEvent.End END = new ResponseEvent.End();

    private final PacketInput input;
    private final Command command;
    private final List<TensorId> expected;
    private final Set<TensorId> bases;
    private final long maxObjectBytes;
    private final AdvertisementParser advertisement;
    private int answered;
    private boolean started;
    private boolean flushed;
    private ObjectBody current;
    private TransferProtocolException failure;

    private ResponseReader(InputStream in, Command command, List<TensorId> expected, Set<TensorId> bases,
            long maxObjectBytes) {
        this.input = new PacketInput(in, "response");
        this.command = command;
        this.expected = List.copyOf(expected);
        this.bases = bases;
        this.maxObjectBytes = maxObjectBytes;
        this.advertisement = command == Command.CAPABILITIES ? new AdvertisementParser() : null;
    }

    /** For a {@code capabilities} request: yields {@link ResponseEvent.Capabilities} at the flush. */
    public static ResponseReader forCapabilities(InputStream in) {
        return new ResponseReader(in, Command.CAPABILITIES, List.of(), Set.of(), 0);
    }

    /** For a {@code lookup} of {@code ids}: one Present or Missing per id, in order. */
    public static ResponseReader forLookup(InputStream in, List<TensorId> ids) {
        return new ResponseReader(in, Command.LOOKUP, ids, Set.of(), 0);
    }

    /**
     * For a {@code download}: one EncodedObject or Missing per want, in order. Objects over
     * {@code limits.maxObjectBytes()} are refused.
     */
    public static ResponseReader forDownload(InputStream in, List<Want> wants, Collection<TensorId> haves,
            TransferLimits limits) {
        Set<TensorId> bases = new HashSet<>(haves);
        for (Want w : wants) {
            bases.addAll(w.bases());
        }
        return new ResponseReader(in, Command.DOWNLOAD, wants.stream().map(Want::id).toList(), bases,
                limits.maxObjectBytes());
    }

    /** For an {@code upload} of objects with the ids {@code sent}, in the order sent: one result per object. */
    public static ResponseReader forUpload(InputStream in, List<TensorId> sent) {
        return new ResponseReader(in, Command.UPLOAD, sent, Set.of(), 0);
    }

    /** For a request as {@link RequestWriter} wrote it; an upload also needs the ids of the objects it sent. */
    public static ResponseReader forRequest(InputStream in, TransferRequest request, List<TensorId> uploaded,
            TransferLimits limits) {
        switch (request.command()) {
            case CAPABILITIES:
                return forCapabilities(in);
            case LOOKUP:
                return forLookup(in, request.ids());
            case DOWNLOAD:
                return forDownload(in, request.wants(), request.haves(), limits);
            default:
                return forUpload(in, uploaded);
        }
    }

    /**
     * The next event. Whatever the previous object's body left unread is skipped first, with its framing checked.
     * After {@link ResponseEvent.End} every call yields End again.
     */
    public ResponseEvent next() throws IOException {
        if (failure != null) {
            throw new TransferProtocolException("the response cannot be read further after an earlier error: "
                    + failure.getMessage(), failure);
        }
        try {
            return step();
        } catch (TransferProtocolException e) {
            failure = e;
            throw e;
        }
    }

    private ResponseEvent step() throws IOException {
        if (flushed) {
            return END;
        }
        if (current != null) {
            ObjectBody body = current;
            current = null;
            try {
                body.skipRest();
            } catch (TransferProtocolException e) {
                if (body.abortMessage() == null) {
                    throw e;
                }
                flushed = true;
                return new ResponseEvent.ServerError(body.abortMessage());
            }
        }
        if (!started) {
            readVersion();
            started = true;
        }
        String what = "a " + command.wireName() + " response line or the final flush";
        while (true) {
            Packet p = input.next(what);
            if (p.type() == PacketType.FLUSH) {
                return end();
            }
            String line = input.line(p, what);
            int space = line.indexOf(' ');
            String keyword = space < 0 ? line : line.substring(0, space);
            String rest = space < 0 ? null : line.substring(space + 1);
            if (keyword.equals("progress") && rest != null) {
                return new ResponseEvent.Progress(rest);
            }
            if (keyword.equals("error") && rest != null && !rest.isEmpty()) {
                return error(rest);
            }
            switch (command) {
                case CAPABILITIES:
                    // Collected, and yielded as one event at the flush; at most 64 lines, so the loop is bounded.
                    advertisement.add(line);
                    break;
                case LOOKUP:
                    return lookupLine(keyword, line);
                case DOWNLOAD:
                    return downloadLine(keyword, line);
                default:
                    return uploadLine(keyword, line);
            }
        }
    }

    private ResponseEvent error(String message) throws IOException {
        Packet last = input.next("the flush after the error line");
        if (last.type() != PacketType.FLUSH) {
            throw new TransferProtocolException("expected the flush after the error line, got "
                    + Syntax.describe(last));
        }
        input.expectEnd();
        flushed = true;
        return new ResponseEvent.ServerError(message);
    }

    private void readVersion() throws IOException {
        String what = "the version line '" + TransferProtocol.VERSION_LINE + "'";
        Packet p = input.next(what);
        String line = input.line(p, what);
        if (!line.equals(TransferProtocol.VERSION_LINE)) {
            throw new TransferProtocolException("expected " + what + " at the start of the response, got "
                    + Syntax.quote(line));
        }
    }

    private ResponseEvent end() throws IOException {
        ResponseEvent event = END;
        if (command == Command.CAPABILITIES) {
            event = new ResponseEvent.Capabilities(advertisement.build());
        } else if (answered < expected.size()) {
            throw new TransferProtocolException("the response ends after " + answered + " of " + expected.size()
                    + " answers; none for " + expected.get(answered));
        }
        input.expectEnd();
        flushed = true;
        return event;
    }

    private ResponseEvent lookupLine(String keyword, String line) throws TransferProtocolException {
        String[] f = line.split(" ", -1);
        if (keyword.equals("present") && f.length == 5) {
            TensorId id = answer(Syntax.id(f[1], line));
            DType dtype = DType.byFormatName(f[2]).orElseThrow(() -> new TransferProtocolException(
                    "unknown dtype " + Syntax.quote(f[2]) + " in " + Syntax.quote(line)));
            Shape shape = shape(f[3], line);
            long size = Syntax.decimal(f[4], "size", line);
            long actual;
            try {
                actual = dtype.sizeOf(shape.elements());
            } catch (ArithmeticException e) {
                throw new TransferProtocolException("tensor " + id + " of " + dtype.formatName() + " " + shape
                        + " has no whole size in bytes");
            }
            if (size != actual) {
                throw new TransferProtocolException("tensor " + id + " of " + dtype.formatName() + " " + shape
                        + " holds " + actual + " bytes, not the " + f[4] + " the server says");
            }
            return new ResponseEvent.Present(id, dtype, shape, size);
        }
        if (keyword.equals("missing") && f.length == 2) {
            return new ResponseEvent.Missing(answer(Syntax.id(f[1], line)));
        }
        throw unexpected(line, "'present <id> <dtype> <shape> <size>' or 'missing <id>'");
    }

    private ResponseEvent downloadLine(String keyword, String line) throws TransferProtocolException {
        String[] f = line.split(" ", -1);
        if (keyword.equals("missing") && f.length == 2) {
            return new ResponseEvent.Missing(answer(Syntax.id(f[1], line)));
        }
        if (!keyword.equals("object") || !(f.length == 4 || (f.length == 6 && f[4].equals("base")))) {
            throw unexpected(line, "'object <id> <kind> <length> [base <id>]' or 'missing <id>'");
        }
        TensorId id = answer(Syntax.id(f[1], line));
        WireEncoding encoding = WireEncoding.byWireName(f[2]).orElseThrow(() -> new TransferProtocolException(
                "unknown encoding " + Syntax.quote(f[2]) + " for object " + id));
        long length = Syntax.decimal(f[3], "object length", line);
        Optional<TensorId> base = f.length == 6 ? Optional.of(Syntax.id(f[5], line)) : Optional.empty();
        if (base.isPresent() != encoding.needsBase()) {
            throw new TransferProtocolException(encoding.wireName() + " object " + id
                    + (encoding.needsBase() ? " names no base" : " names a base, which only a patch has"));
        }
        if (base.isPresent() && base.get().equals(id)) {
            throw new TransferProtocolException("object " + id + " names itself as its base");
        }
        if (base.isPresent() && !bases.contains(base.get())) {
            throw new TransferProtocolException("object " + id + " is encoded against " + base.get()
                    + ", which the client neither offered nor received earlier in this response");
        }
        if (length > maxObjectBytes) {
            throw new TransferProtocolException("object " + id + " declares " + f[3] + " bytes, more than the "
                    + maxObjectBytes + " this client accepts");
        }
        bases.add(id);
        current = new ObjectBody(input, id, length, true);
        return new ResponseEvent.EncodedObject(new EncodedObjectHeader(id, encoding, base, length), current);
    }

    private ResponseEvent uploadLine(String keyword, String line) throws TransferProtocolException {
        String[] f = line.split(" ", -1);
        if (keyword.equals("stored") && f.length == 2) {
            return new ResponseEvent.Stored(answer(Syntax.id(f[1], line)));
        }
        if (keyword.equals("present") && f.length == 2) {
            return new ResponseEvent.AlreadyPresent(answer(Syntax.id(f[1], line)));
        }
        if (keyword.equals("rejected") && f.length >= 3) {
            String reason = line.substring(keyword.length() + 1 + f[1].length() + 1);
            if (reason.isEmpty()) {
                throw new TransferProtocolException("rejection without a reason: " + Syntax.quote(line));
            }
            return new ResponseEvent.Rejected(answer(Syntax.id(f[1], line)), reason);
        }
        throw unexpected(line, "'stored <id>', 'present <id>' or 'rejected <id> <reason>'");
    }

    /** Checks that {@code id} is the next requested one and counts it answered. */
    private TensorId answer(TensorId id) throws TransferProtocolException {
        if (answered == expected.size()) {
            throw new TransferProtocolException("the server answered " + id + " after all " + expected.size()
                    + " requested ids were answered");
        }
        TensorId next = expected.get(answered);
        if (!id.equals(next)) {
            throw new TransferProtocolException("the server answered " + id + " where the answer for " + next
                    + " (request item " + (answered + 1) + ") was expected");
        }
        answered++;
        return id;
    }

    private static Shape shape(String text, String line) throws TransferProtocolException {
        if (text.isEmpty()) {
            return Shape.of();
        }
        String[] parts = text.split(",", -1);
        if (parts.length > Shape.MAX_DIMENSIONS) {
            throw new TransferProtocolException("shape " + Syntax.quote(text) + " has more than "
                    + Shape.MAX_DIMENSIONS + " dimensions");
        }
        long[] dims = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            dims[i] = Syntax.decimal(parts[i], "dimension", line);
        }
        try {
            return Shape.of(dims);
        } catch (IllegalArgumentException e) {
            throw new TransferProtocolException("invalid shape " + Syntax.quote(text) + ": " + e.getMessage());
        }
    }

    private TransferProtocolException unexpected(String line, String allowed) {
        return new TransferProtocolException("unexpected line " + Syntax.quote(line) + " in a " + command.wireName()
                + " response (expected " + allowed + ", 'progress <text>', 'error <message>' or the final flush)");
    }
}
