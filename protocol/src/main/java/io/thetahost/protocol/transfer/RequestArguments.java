package io.thetahost.protocol.transfer;

import io.thetahost.protocol.tensor.TensorId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The argument lines of one command, parsed and checked as they come: each line against the command's grammar, each
 * id list against the server's max-ids and for repeats.
 */
final class RequestArguments {
    private final Command command;
    private final TransferLimits limits;
    private final List<TensorId> ids = new ArrayList<>();
    private final List<Want> wants = new ArrayList<>();
    private final List<TensorId> haves = new ArrayList<>();
    private final Set<TensorId> seenIds = new HashSet<>();
    private final Set<TensorId> seenWants = new HashSet<>();
    private final Set<TensorId> seenHaves = new HashSet<>();
    private OptionalLong objectCount = OptionalLong.empty();
    private boolean any;

    RequestArguments(Command command, TransferLimits limits) {
        this.command = command;
        this.limits = limits;
    }

    List<TensorId> ids() {
        return ids;
    }

    List<Want> wants() {
        return wants;
    }

    List<TensorId> haves() {
        return haves;
    }

    /** An upload's {@code objects <count>}, when given. */
    OptionalLong objectCount() {
        return objectCount;
    }

    /** What may come next, for error messages. */
    String expected() {
        switch (command) {
            case LOOKUP:
                return "'id <tensor-id>' or the final flush";
            case DOWNLOAD:
                return "'want <id> [base <id>]', 'have <id>' or the final flush";
            case UPLOAD:
                return any ? "an object line or the final flush"
                        : "'objects <count>', an object line or the final flush";
            default:
                return "the final flush (" + command.wireName() + " takes no arguments)";
        }
    }

    void add(String line) throws TransferProtocolException {
        String[] f = line.split(" ", -1);
        switch (command) {
            case LOOKUP:
                if (f.length == 2 && f[0].equals("id")) {
                    ids.add(unique(Syntax.id(f[1], line), seenIds, "id", limits.maxIds(), "ids"));
                    break;
                }
                throw unknown(line);
            case DOWNLOAD:
                if (f[0].equals("want") && (f.length == 2 || (f.length >= 4 && f[2].equals("base")))) {
                    TensorId id = Syntax.id(f[1], line);
                    if (f.length - 3 > Want.MAX_BASES) {
                        throw new TransferProtocolException("want " + id + " names " + (f.length - 3)
                                + " bases, more than the " + Want.MAX_BASES + " this server reads");
                    }
                    List<TensorId> bases = new ArrayList<>();
                    for (int i = 3; i < f.length; i++) {
                        TensorId base = Syntax.id(f[i], line);
                        if (base.equals(id)) {
                            throw new TransferProtocolException("want " + id + " names itself as its base");
                        }
                        if (bases.contains(base)) {
                            throw new TransferProtocolException("want " + id + " names base " + base + " twice");
                        }
                        bases.add(base);
                    }
                    wants.add(new Want(unique(id, seenWants, "want", limits.maxIds(), "wants"), bases));
                    break;
                }
                if (f.length == 2 && f[0].equals("have")) {
                    haves.add(unique(Syntax.id(f[1], line), seenHaves, "have", limits.maxIds(), "haves"));
                    break;
                }
                throw unknown(line);
            case UPLOAD:
                if (f.length == 2 && f[0].equals("objects") && !any) {
                    long count = Syntax.decimal(f[1], "object count", line);
                    if (count > limits.maxObjects()) {
                        throw new TransferProtocolException("the upload declares " + f[1]
                                + " objects, more than the " + limits.maxObjects()
                                + " this server accepts in one upload");
                    }
                    objectCount = OptionalLong.of(count);
                    break;
                }
                throw unknown(line);
            default:
                throw unknown(line);
        }
        any = true;
    }

    private TensorId unique(TensorId id, Set<TensorId> seen, String kind, int max, String plural)
            throws TransferProtocolException {
        if (seen.size() == max) {
            throw new TransferProtocolException("more than " + max + " " + plural + " in one "
                    + command.wireName() + " request (the server's max-ids)");
        }
        if (!seen.add(id)) {
            throw new TransferProtocolException(kind + " " + id + " is listed twice");
        }
        return id;
    }

    private TransferProtocolException unknown(String line) {
        return new TransferProtocolException("unexpected argument line " + Syntax.quote(line) + " for command "
                + command.wireName() + " (expected " + expected() + ")");
    }
}
