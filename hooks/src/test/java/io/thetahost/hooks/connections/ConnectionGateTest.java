package io.thetahost.hooks.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionGateTest {
    private final List<String> closed = new ArrayList<>();

    private ConnectionGate<String> gate(int total, int perAddress, int unproven) {
        return new ConnectionGate<>("test",
                new ConnectionLimits(total, perAddress, unproven, Duration.ofSeconds(5), Duration.ofSeconds(60)),
                closed::add);
    }

    private static InetAddress address(int last) throws Exception {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    }

    @Test
    void anAddressAtItsLimitIsRefusedWhileOthersGetIn() throws Exception {
        ConnectionGate<String> gate = gate(10, 2, 10);
        assertTrue(gate.tryOpen(address(2), "a1"));
        assertTrue(gate.tryOpen(address(2), "a2"));
        assertFalse(gate.tryOpen(address(2), "a3"), "a third from the same address");
        assertTrue(gate.tryOpen(address(1), "b1"), "another address still gets in");
        assertEquals(List.of(), closed, "nothing was closed to make room");
        gate.closed("a1");
        assertTrue(gate.tryOpen(address(2), "a4"), "a slot freed by a close is reused");
        assertEquals(3, gate.openConnections());
    }

    @Test
    void theOldestUnprovenConnectionMakesRoomNeverAProvenOne() throws Exception {
        ConnectionGate<String> gate = gate(3, 3, 3);
        assertTrue(gate.tryOpen(address(1), "transfer"));
        gate.proven("transfer");
        assertTrue(gate.tryOpen(address(2), "idle-old"));
        assertTrue(gate.tryOpen(address(3), "idle-new"));
        assertTrue(gate.tryOpen(address(4), "newcomer"), "a full transport makes room");
        assertEquals(List.of("idle-old"), closed, "the oldest unproven one is closed, not the transfer");
        gate.proven("idle-new");
        gate.proven("newcomer");
        assertFalse(gate.tryOpen(address(5), "refused"), "all proven: the newcomer is refused");
        assertEquals(List.of("idle-old"), closed);
        gate.closed("idle-old");
        assertEquals(3, gate.openConnections(), "the shed connection's own close is not counted twice");
    }

    @Test
    void aFloodFromManyAddressesShedsItsOwnConnectionsNotALoneClient() throws Exception {
        ConnectionGate<String> gate = gate(100, 100, 4);
        assertTrue(gate.tryOpen(address(1), "lone client, oldest"));
        gate.tryOpen(address(2), "flood-a1");
        gate.tryOpen(address(2), "flood-a2");
        gate.tryOpen(address(3), "flood-b1");
        assertTrue(gate.tryOpen(address(3), "flood-b2"));
        assertTrue(gate.tryOpen(address(4), "flood-c1"));
        assertEquals(List.of("flood-a1", "flood-b1"), closed,
                "the oldest of the address holding the most, never the lone client");
    }

    @Test
    void tooManyUnprovenShedsEvenBelowTheTotal() throws Exception {
        ConnectionGate<String> gate = gate(100, 100, 2);
        gate.tryOpen(address(2), "u1");
        gate.tryOpen(address(2), "u2");
        assertTrue(gate.tryOpen(address(1), "u3"));
        assertEquals(List.of("u1"), closed);
    }

    @Test
    void aConnectionBetweenRequestsMayBeShedAgain() throws Exception {
        ConnectionGate<String> gate = gate(2, 2, 2);
        gate.tryOpen(address(1), "keepalive");
        gate.proven("keepalive");
        gate.tryOpen(address(2), "other");
        gate.proven("other");
        gate.idle("keepalive");
        assertTrue(gate.tryOpen(address(3), "new"));
        assertEquals(List.of("keepalive"), closed);
    }
}
