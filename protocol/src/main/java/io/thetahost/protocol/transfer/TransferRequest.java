package io.thetahost.protocol.transfer;

import io.thetahost.protocol.tensor.TensorId;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A request as far as its arguments: the version, the command, the client's capability lines and the command's
 * arguments. Only the fields of its command are set; the others are empty. An upload's objects are not part of it:
 * {@link RequestWriter} and {@link RequestReader} stream them after it.
 *
 * <p>The constructor refuses what no server would accept from any client (a field of another command, a malformed
 * capability, an id listed twice), so a request built here and written by {@link RequestWriter} only fails on the
 * server's configurable limits. {@link RequestReader} checks the same rules on input with
 * {@link TransferProtocolException}s before it builds one.
 *
 * @param version the protocol version, always {@link TransferProtocol#VERSION}
 * @param command the command
 * @param clientCapabilities the client's {@code key=value} lines in order ({@code agent=theta/0.1}); never
 *     {@code command}
 * @param ids a lookup's ids, in order
 * @param wants a download's wants, in order
 * @param haves a download's haves, in order
 * @param objectCount an upload's {@code objects <count>}, when given
 */
public record TransferRequest(int version, Command command, Map<String, String> clientCapabilities,
        List<TensorId> ids, List<Want> wants, List<TensorId> haves, OptionalLong objectCount) {

    public TransferRequest {
        if (version != TransferProtocol.VERSION) {
            throw new IllegalArgumentException("version " + version + " (this implementation speaks "
                    + TransferProtocol.VERSION + ")");
        }
        Objects.requireNonNull(command, "command");
        // LinkedHashMap, not Map.copyOf: the lines keep the order the client wrote them in.
        clientCapabilities = Collections.unmodifiableMap(
                new LinkedHashMap<>(Objects.requireNonNull(clientCapabilities, "clientCapabilities")));
        ids = List.copyOf(ids);
        wants = List.copyOf(wants);
        haves = List.copyOf(haves);
        Objects.requireNonNull(objectCount, "objectCount");
        if (clientCapabilities.size() > Syntax.MAX_CAPABILITIES) {
            throw new IllegalArgumentException("more than " + Syntax.MAX_CAPABILITIES + " capabilities");
        }
        for (Map.Entry<String, String> c : clientCapabilities.entrySet()) {
            String problem = Syntax.capabilityProblem(c.getKey(), c.getValue());
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
        requireOnlyFor(command, Command.LOOKUP, !ids.isEmpty(), "ids");
        requireOnlyFor(command, Command.DOWNLOAD, !wants.isEmpty(), "wants");
        requireOnlyFor(command, Command.DOWNLOAD, !haves.isEmpty(), "haves");
        requireOnlyFor(command, Command.UPLOAD, objectCount.isPresent(), "an object count");
        if (objectCount.isPresent() && objectCount.getAsLong() < 0) {
            throw new IllegalArgumentException("negative object count " + objectCount.getAsLong());
        }
        String duplicate = firstDuplicate(ids);
        if (duplicate == null) {
            duplicate = firstDuplicate(wants.stream().map(Want::id).toList());
        }
        if (duplicate == null) {
            duplicate = firstDuplicate(haves);
        }
        if (duplicate != null) {
            throw new IllegalArgumentException("id " + duplicate + " listed twice");
        }
        String conflict = Syntax.wantConflict(wants, haves);
        if (conflict != null) {
            throw new IllegalArgumentException(conflict);
        }
    }

    /** A {@code capabilities} request. */
    public static TransferRequest capabilities() {
        return of(Command.CAPABILITIES, List.of(), List.of(), List.of(), OptionalLong.empty());
    }

    /** A {@code lookup} of the given ids. */
    public static TransferRequest lookup(List<TensorId> ids) {
        return of(Command.LOOKUP, ids, List.of(), List.of(), OptionalLong.empty());
    }

    /** A {@code download} of the wants, telling the server the client holds the haves. */
    public static TransferRequest download(List<Want> wants, List<TensorId> haves) {
        return of(Command.DOWNLOAD, List.of(), wants, haves, OptionalLong.empty());
    }

    /** An {@code upload} that does not announce how many objects follow. */
    public static TransferRequest upload() {
        return of(Command.UPLOAD, List.of(), List.of(), List.of(), OptionalLong.empty());
    }

    /** An {@code upload} of exactly {@code objectCount} objects. */
    public static TransferRequest upload(long objectCount) {
        return of(Command.UPLOAD, List.of(), List.of(), List.of(), OptionalLong.of(objectCount));
    }

    /**
     * The capability a client sends with the highest encoding format version (ENCODINGS.md) it decodes; a client that
     * sends none decodes version 1 only.
     */
    public static final String ENCODING_VERSION = "encoding-version";

    /** The highest encoding format version the client decodes: its {@link #ENCODING_VERSION}, else 1. */
    public int readsEncodingVersion() {
        String v = clientCapabilities.get(ENCODING_VERSION);
        if (v == null || !v.matches("[1-9][0-9]{0,8}")) {
            return 1;
        }
        return Integer.parseInt(v);
    }

    /** This request with one more capability line (or a new value for {@code key}), after the others. */
    public TransferRequest withCapability(String key, String value) {
        Map<String, String> more = new LinkedHashMap<>(clientCapabilities);
        more.put(key, value);
        return new TransferRequest(version, command, more, ids, wants, haves, objectCount);
    }

    /** Every id the download names: its wants' bases and its haves, the ids a server may encode against. */
    public Set<TensorId> offeredBases() {
        Set<TensorId> bases = new HashSet<>(haves);
        for (Want w : wants) {
            bases.addAll(w.bases());
        }
        return bases;
    }

    private static TransferRequest of(Command command, List<TensorId> ids, List<Want> wants, List<TensorId> haves,
            OptionalLong objectCount) {
        return new TransferRequest(TransferProtocol.VERSION, command, Map.of(), ids, wants, haves, objectCount);
    }

    private static void requireOnlyFor(Command actual, Command owner, boolean given, String what) {
        if (given && actual != owner) {
            throw new IllegalArgumentException(actual.wireName() + " request with " + what + " (only "
                    + owner.wireName() + " takes them)");
        }
    }

    private static String firstDuplicate(Collection<TensorId> ids) {
        Set<TensorId> seen = new HashSet<>();
        for (TensorId id : ids) {
            if (!seen.add(id)) {
                return id.toString();
            }
        }
        return null;
    }
}
