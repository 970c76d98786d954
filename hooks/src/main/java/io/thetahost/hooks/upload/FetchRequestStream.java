package io.thetahost.hooks.upload;

import io.thetahost.protocol.pktline.MalformedPacketException;
import io.thetahost.protocol.pktline.Packet;
import io.thetahost.protocol.pktline.PacketReader;
import io.thetahost.protocol.pktline.PacketType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.PackProtocolException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * The upload-pack request stream as JGit's upload-pack gets it: bounded, and with the two shallow-fetch cases JGit gets
 * wrong made right.
 *
 * <p>The bound: JGit holds every line of a request section (wants, then haves) in memory until the section's flush,
 * so a section may hold at most {@code maxSectionBytes}; a client that sends more gets an error, not an
 * out-of-memory daemon.
 *
 * <ul>
 *   <li>{@code deepen-relative} ({@code git fetch --deepen=N}), which JGit does not implement: the request is rewritten
 *       into the absolute depth that reaches N commits past the client's shallow boundary: the longest distance from a
 *       wanted commit to one of the client's shallow commits, plus N, plus one because a depth counts commits, not
 *       steps between them.
 *   <li>the stateless (HTTP, v0) "shallow probe": git first sends only its wants and deepen lines, reads the shallow
 *       list and hangs up. JGit accepts that only for {@code deepen N}; for {@code deepen-since} and
 *       {@code deepen-not} it fails. A probe is ended with an empty round, as git's own upload-pack treats it, and
 *       {@link ShallowProbeResponse} cuts the answer after the shallow list.
 * </ul>
 *
 * Every other request passes through byte for byte. Input that is not valid pkt-lines, or too large, fails with a
 * {@link PackProtocolException} (whose message JGit sends the client); after that the stream reads as ended, so that
 * upload-pack's own cleanup, which drains the request, finishes and the message gets out. Memory: only the part of one request before its first "have" is held; the depth walk holds
 * one entry per commit between the wants and the shallow boundary.
 */
public final class FetchRequestStream extends InputStream {
    private static final String RELATIVE = "deepen-relative";

    private final PacketReader packets;
    private final Repository repository;
    private final boolean v2;
    private final boolean stateless;
    private final long maxSectionBytes;
    private long sectionBytes;
    private InputStream ready = InputStream.nullInputStream();
    private boolean ended;
    private boolean failed;
    private volatile boolean probe;

    public FetchRequestStream(InputStream in, Repository repository, int protocolVersion, boolean stateless,
            long maxSectionBytes) {
        this.maxSectionBytes = maxSectionBytes;
        this.packets = new PacketReader(in);
        this.repository = repository;
        this.v2 = protocolVersion == 2;
        this.stateless = stateless;
    }

    /** Whether this request was a stateless shallow probe, whose answer ends with the shallow list. */
    public boolean isShallowProbe() {
        return probe;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            int n = ready.read(b, off, len);
            if (n > 0) {
                return n;
            }
            if (ended || failed) {
                return -1;
            }
            try {
                fill();
            } catch (PackProtocolException e) {
                failed = true;
                throw e;
            }
        }
    }

    @Override
    public int available() throws IOException {
        return ready.available();
    }

    /** Reads the next packet, or a whole fetch request up to its first "have", into {@link #ready}. */
    private void fill() throws IOException {
        Packet first = next(List.of());
        if (first == null) {
            return;
        }
        boolean startsRequest = first.isData()
                && (v2 ? first.line().equals("command=fetch") : first.line().startsWith("want "));
        if (!startsRequest) {
            ready = new ByteArrayInputStream(first.encode());
            return;
        }
        // v0: wants, shallows, deepen, flush. v2: capabilities, delim, arguments (shallow and deepen before the
        // wants), then haves. Either way, everything looked at here comes before the first have.
        List<Packet> section = new ArrayList<>();
        section.add(first);
        Packet p = first;
        while (p.type() != PacketType.FLUSH && !(p.isData() && (p.line().startsWith("have ")
                || p.line().equals("done")))) {
            p = next(section);
            if (p == null) {
                return;
            }
            section.add(p);
        }
        List<Packet> out = rewrite(section);
        if (!v2 && stateless && p.type() == PacketType.FLUSH && deepens(section)) {
            Packet after = next(out);
            if (after == null) {
                // The probe: give upload-pack the empty round git's own server would assume.
                probe = true;
                out = new ArrayList<>(out);
                out.add(Packet.FLUSH);
                ended = true;
            } else {
                out = new ArrayList<>(out);
                out.add(after);
            }
        }
        ready = new ByteArrayInputStream(encode(out));
    }

    /** The next packet; null at the end of input (then {@link #ended} is set and {@code before} is handed on). */
    private Packet next(List<Packet> before) throws IOException {
        Packet p;
        try {
            p = packets.read();
        } catch (MalformedPacketException e) {
            throw new PackProtocolException("protocol error: " + e.getMessage());
        }
        if (p == null) {
            ended = true;
            ready = new ByteArrayInputStream(encode(before));
            return null;
        }
        sectionBytes = p.isData() ? sectionBytes + 4 + p.payloadLength() : 0;
        if (sectionBytes > maxSectionBytes) {
            // A PackProtocolException is the kind whose message JGit relays to the client.
            throw new PackProtocolException("fetch request too large: more than " + maxSectionBytes
                    + " bytes of wants or haves without a flush");
        }
        return p;
    }

    private static boolean deepens(List<Packet> section) {
        for (Packet p : section) {
            if (p.isData() && (p.line().startsWith("deepen ") || p.line().startsWith("deepen-since ")
                    || p.line().startsWith("deepen-not "))) {
                return true;
            }
        }
        return false;
    }

    private List<Packet> rewrite(List<Packet> section) throws IOException {
        boolean relative = false;
        int depthIndex = -1;
        int depth = 0;
        List<ObjectId> wants = new ArrayList<>();
        Set<ObjectId> shallows = new HashSet<>();
        for (int i = 0; i < section.size(); i++) {
            Packet p = section.get(i);
            if (!p.isData()) {
                continue;
            }
            String line = p.line();
            if (line.startsWith("want ")) {
                String[] parts = line.split(" ");
                if (parts.length < 2 || !ObjectId.isId(parts[1])) {
                    return section;
                }
                wants.add(ObjectId.fromString(parts[1]));
                for (int k = 2; k < parts.length; k++) {
                    relative |= !v2 && parts[k].equals(RELATIVE);
                }
            } else if (line.startsWith("shallow ")) {
                String id = line.substring("shallow ".length());
                if (!ObjectId.isId(id)) {
                    return section;
                }
                shallows.add(ObjectId.fromString(id));
            } else if (line.startsWith("deepen ")) {
                try {
                    depth = Integer.parseInt(line.substring("deepen ".length()));
                } catch (NumberFormatException e) {
                    return section;
                }
                depthIndex = i;
            } else if (v2 && line.equals(RELATIVE)) {
                relative = true;
            }
        }
        if (!relative) {
            return section;
        }
        List<Packet> out = new ArrayList<>(section.size());
        for (int i = 0; i < section.size(); i++) {
            Packet p = section.get(i);
            if (i == depthIndex && depth > 0) {
                long absolute = (long) boundaryDistance(wants, shallows) + depth + 1;
                out.add(Packet.text("deepen " + Math.min(Integer.MAX_VALUE, absolute) + "\n"));
            } else if (p.isData() && v2 && p.line().equals(RELATIVE)) {
                continue;
            } else if (p.isData() && !v2 && p.line().startsWith("want ") && p.line().contains(" " + RELATIVE)) {
                out.add(Packet.text(p.line().replace(" " + RELATIVE, "") + "\n"));
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * The largest number of parent steps from a wanted commit to a shallow commit of the client, walking breadth
     * first (the shortest-path depth JGit's depth walk uses) and stopping at the shallow commits.
     */
    private int boundaryDistance(List<ObjectId> wants, Set<ObjectId> shallows) throws IOException {
        if (shallows.isEmpty()) {
            return 0;
        }
        Map<ObjectId, Integer> distance = new HashMap<>();
        ArrayDeque<RevCommit> queue = new ArrayDeque<>();
        int deepest = 0;
        try (RevWalk walk = new RevWalk(repository)) {
            for (ObjectId want : wants) {
                RevObject o;
                try {
                    o = walk.peel(walk.parseAny(want));
                } catch (MissingObjectException e) {
                    continue;
                }
                if (o instanceof RevCommit && distance.putIfAbsent(o.copy(), 0) == null) {
                    queue.add((RevCommit) o);
                }
            }
            while (!queue.isEmpty()) {
                RevCommit c = queue.poll();
                int d = distance.get(c);
                if (shallows.contains(c)) {
                    deepest = Math.max(deepest, d);
                    continue;
                }
                walk.parseHeaders(c);
                for (RevCommit parent : c.getParents()) {
                    if (distance.putIfAbsent(parent.copy(), d + 1) == null) {
                        queue.add(parent);
                    }
                }
            }
        }
        return deepest;
    }

    private static byte[] encode(List<Packet> packets) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Packet p : packets) {
            b.writeBytes(p.encode());
        }
        return b.toByteArray();
    }
}
