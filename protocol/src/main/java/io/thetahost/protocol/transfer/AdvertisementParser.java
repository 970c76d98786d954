package io.thetahost.protocol.transfer;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Collects the lines of a capabilities response and checks them at the flush. */
final class AdvertisementParser {
    private final Map<String, String> lines = new HashMap<>();

    void add(String line) throws TransferProtocolException {
        int space = line.indexOf(' ');
        String key = space < 0 ? line : line.substring(0, space);
        if (space < 0 || space == line.length() - 1 || !Syntax.isKey(key)) {
            throw new TransferProtocolException("expected '<name> <value>' in the capabilities response, got "
                    + Syntax.quote(line));
        }
        if (lines.containsKey(key)) {
            throw new TransferProtocolException("the capabilities response gives " + key + " twice");
        }
        if (lines.size() == Syntax.MAX_CAPABILITIES) {
            throw new TransferProtocolException("more than " + Syntax.MAX_CAPABILITIES
                    + " lines in the capabilities response");
        }
        lines.put(key, line.substring(space + 1));
    }

    ServerCapabilities build() throws TransferProtocolException {
        String version = require("version");
        if (!version.equals(String.valueOf(TransferProtocol.VERSION))) {
            throw new TransferProtocolException("the server advertises version " + Syntax.quote(version)
                    + " in a " + TransferProtocol.VERSION_LINE + " response");
        }
        Set<Command> commands = new HashSet<>();
        for (String name : names("commands")) {
            Command.byWireName(name).ifPresent(commands::add);
        }
        Set<WireEncoding> encodings = new HashSet<>();
        for (String name : names("encodings")) {
            WireEncoding.byWireName(name).ifPresent(encodings::add);
        }
        if (!commands.contains(Command.CAPABILITIES)) {
            throw new TransferProtocolException("the server's commands line does not list capabilities");
        }
        if (!encodings.contains(WireEncoding.DENSE)) {
            throw new TransferProtocolException("the server's encodings line does not list dense");
        }
        TransferLimits limits = new TransferLimits((int) positive("max-ids", Integer.MAX_VALUE),
                positive("max-object-bytes", Long.MAX_VALUE), (int) positive("max-objects", Integer.MAX_VALUE));
        Optional<String> agent = Optional.ofNullable(lines.get("agent"));
        if (agent.isPresent() && Syntax.capabilityProblem("agent", agent.get()) != null) {
            throw new TransferProtocolException("the server's " + Syntax.capabilityProblem("agent", agent.get()));
        }
        // Optional: a server that does not advertise it reads one base per want.
        int wantBases = lines.containsKey("want-bases") ? (int) positive("want-bases", Integer.MAX_VALUE) : 1;
        return new ServerCapabilities(commands, encodings, limits, agent, wantBases);
    }

    private String require(String key) throws TransferProtocolException {
        String value = lines.get(key);
        if (value == null) {
            throw new TransferProtocolException("the capabilities response has no " + key + " line");
        }
        return value;
    }

    private String[] names(String key) throws TransferProtocolException {
        String[] names = require(key).split(" ", -1);
        for (String n : names) {
            if (n.isEmpty()) {
                throw new TransferProtocolException("an empty name in the " + key + " line "
                        + Syntax.quote(lines.get(key)));
            }
        }
        return names;
    }

    private long positive(String key, long max) throws TransferProtocolException {
        String token = require(key);
        long value = Syntax.decimal(token, key, key + " " + token);
        if (value < 1 || value > max || (value == Long.MAX_VALUE && !token.equals(Long.toString(value)))) {
            throw new TransferProtocolException(key + " " + Syntax.quote(token) + " is not between 1 and " + max);
        }
        return value;
    }
}
