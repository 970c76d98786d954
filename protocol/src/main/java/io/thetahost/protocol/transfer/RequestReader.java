package io.thetahost.protocol.transfer;

import io.thetahost.protocol.pktline.Packet;
import io.thetahost.protocol.pktline.PacketType;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The server's side of reading a request. {@link #readRequest()} reads and validates everything up to the objects:
 * for every command but {@code upload} that is the whole request, its final flush and the end of input. For an
 * upload, {@link #nextObject()} then hands out the objects one at a time, each body a stream of exactly its declared
 * bytes, and at the final flush checks the count and the end of input.
 *
 * <p>Everything a peer controls is checked against {@link TransferLimits} before it is kept, so memory is bounded by
 * the limits and one packet; every problem is a {@link TransferProtocolException} naming it. Not thread-safe.
 */
public final class RequestReader {
    private static final String VERSION_EXPECTED = "'" + TransferProtocol.VERSION_LINE + "'";
    private static final String VERSION_PREFIX = TransferProtocol.NAME + " ";

    private final PacketInput input;
    private final TransferLimits limits;
    private TransferRequest request;
    private boolean ended;
    private ObjectHeader pending;
    private ObjectBody current;
    private long objects;
    private final Set<TensorId> objectIds = new HashSet<>();
    private TransferProtocolException failure;

    public RequestReader(InputStream in, TransferLimits limits) {
        this.input = new PacketInput(in, "request");
        this.limits = limits;
    }

    /**
     * Reads the version line, the command, the capabilities and the arguments; for an upload also the first object's
     * header line, if any. Call once.
     */
    public TransferRequest readRequest() throws IOException {
        if (request != null || failure != null) {
            throw new IllegalStateException("the request was already read");
        }
        try {
            return readHead();
        } catch (TransferProtocolException e) {
            failure = e;
            throw e;
        }
    }

    /**
     * The next object of an upload, or empty after the final flush (by then the object count and the end of input
     * are checked). Whatever the previous object's body left unread is skipped first, with its framing checked.
     */
    public Optional<IncomingObject> nextObject() throws IOException {
        if (failure != null) {
            throw new TransferProtocolException("the request cannot be read further after an earlier error: "
                    + failure.getMessage(), failure);
        }
        if (request == null) {
            throw new IllegalStateException("read the request first");
        }
        if (request.command() != Command.UPLOAD) {
            throw new IllegalStateException("a " + request.command().wireName() + " request carries no objects");
        }
        try {
            return next();
        } catch (TransferProtocolException e) {
            failure = e;
            throw e;
        }
    }

    private TransferRequest readHead() throws IOException {
        readVersion();
        Command command = readCommand();
        Map<String, String> capabilities = readCapabilities();
        RequestArguments args = new RequestArguments(command, limits);
        while (true) {
            Packet p = input.next(args.expected());
            if (p.type() == PacketType.FLUSH) {
                ended = true;
                break;
            }
            if (p.type() == PacketType.DELIM) {
                throw new TransferProtocolException("a second delim packet (0001) in the request, among the "
                        + command.wireName() + " arguments");
            }
            String line = input.line(p, args.expected());
            if (command == Command.UPLOAD && line.startsWith("object ")) {
                pending = objectHeader(line, args.objectCount());
                break;
            }
            args.add(line);
        }
        String conflict = Syntax.wantConflict(args.wants(), args.haves());
        if (conflict != null) {
            throw new TransferProtocolException(conflict);
        }
        request = new TransferRequest(TransferProtocol.VERSION, command, capabilities, args.ids(), args.wants(),
                args.haves(), args.objectCount());
        if (ended) {
            finishObjects();
        }
        return request;
    }

    private Optional<IncomingObject> next() throws IOException {
        if (current != null) {
            current.skipRest();
            current = null;
        }
        if (ended) {
            return Optional.empty();
        }
        if (pending == null) {
            String expected = "an object line or the final flush";
            Packet p = input.next(expected);
            if (p.type() == PacketType.FLUSH) {
                ended = true;
                finishObjects();
                return Optional.empty();
            }
            String line = input.line(p, expected);
            if (!line.startsWith("object ")) {
                throw new TransferProtocolException("expected an object line or the final flush after object "
                        + objects + " of the upload, got " + Syntax.quote(line));
            }
            pending = objectHeader(line, request.objectCount());
        }
        ObjectHeader header = pending;
        pending = null;
        current = new ObjectBody(input, header.id(), header.length(), false);
        return Optional.of(new IncomingObject(header, current));
    }

    private void readVersion() throws IOException {
        Packet p = input.next("the version line " + VERSION_EXPECTED);
        String line = p.isData() ? p.line() : null;
        if (line != null && line.startsWith(VERSION_PREFIX) && !line.equals(TransferProtocol.VERSION_LINE)) {
            String version = line.substring(VERSION_PREFIX.length());
            throw new TransferProtocolException("unsupported protocol version " + Syntax.quote(version)
                    + ": this server speaks " + TransferProtocol.VERSION_LINE);
        }
        if (line == null || !input.line(p, VERSION_EXPECTED).equals(TransferProtocol.VERSION_LINE)) {
            throw new TransferProtocolException("expected " + VERSION_EXPECTED + ", got " + Syntax.describe(p));
        }
    }

    private Command readCommand() throws IOException {
        String expected = "'command=<name>' after the version line";
        Packet p = input.next(expected);
        if (!p.isData() || !p.line().startsWith("command=")) {
            throw new TransferProtocolException("expected " + expected + ", got " + Syntax.describe(p));
        }
        String name = input.line(p, expected).substring("command=".length());
        return Command.byWireName(name).orElseThrow(() -> new TransferProtocolException("unknown command "
                + Syntax.quote(name) + " (this server knows capabilities, lookup, download and upload)"));
    }

    private Map<String, String> readCapabilities() throws IOException {
        Map<String, String> capabilities = new LinkedHashMap<>();
        String expected = "a capability line 'key=value' or the delim packet (0001)";
        while (true) {
            Packet p = input.next(expected);
            if (p.type() == PacketType.DELIM) {
                return capabilities;
            }
            String line = input.line(p, expected);
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new TransferProtocolException("expected " + expected + ", got " + Syntax.quote(line));
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            String problem = Syntax.capabilityProblem(key, value);
            if (problem != null) {
                throw new TransferProtocolException(problem + " in " + Syntax.quote(line));
            }
            if (capabilities.containsKey(key)) {
                throw new TransferProtocolException("capability " + key + " given twice");
            }
            if (capabilities.size() == Syntax.MAX_CAPABILITIES) {
                throw new TransferProtocolException("more than " + Syntax.MAX_CAPABILITIES + " capability lines");
            }
            capabilities.put(key, value);
        }
    }

    private ObjectHeader objectHeader(String line, OptionalLong declared) throws TransferProtocolException {
        String[] f = line.split(" ", -1);
        if (f.length != 3) {
            throw new TransferProtocolException("expected 'object <id> <length>', got " + Syntax.quote(line));
        }
        TensorId id = Syntax.id(f[1], line);
        long length = Syntax.decimal(f[2], "object length", line);
        if (length > limits.maxObjectBytes()) {
            throw new TransferProtocolException("object " + id + " declares " + f[2] + " bytes, more than the "
                    + limits.maxObjectBytes() + " this server accepts");
        }
        if (declared.isPresent() && objects == declared.getAsLong()) {
            throw new TransferProtocolException("object " + id + " is one more than the " + declared.getAsLong()
                    + " the upload declared");
        }
        if (objects == limits.maxObjects()) {
            throw new TransferProtocolException("object " + id + " is one more than the " + limits.maxObjects()
                    + " objects this server accepts in one upload");
        }
        if (!objectIds.add(id)) {
            throw new TransferProtocolException("object " + id + " is sent twice in one upload");
        }
        objects++;
        return new ObjectHeader(id, length);
    }

    private void finishObjects() throws IOException {
        OptionalLong declared = request.objectCount();
        if (declared.isPresent() && objects != declared.getAsLong()) {
            throw new TransferProtocolException("the upload declared " + declared.getAsLong() + " objects but sent "
                    + objects);
        }
        input.expectEnd();
    }
}
