package io.thetahost.objectdb.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.codec.format.EncodingKind;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The meta record's binary layout: exact round trips, and refusal of anything else. */
class MetaRecordTest {
    private static final TensorId ID = TensorId.of(DType.F32, Shape.of(2), new byte[8]);
    private static final TensorId BASE = TensorId.of(DType.F32, Shape.of(2), new byte[] {1, 0, 0, 0, 0, 0, 0, 0});

    private static MetaRecord patch() {
        return new MetaRecord(new TensorMeta(ID, DType.BF16, Shape.of(3, 5, 7), 210, EncodingKind.SPARSE_TERNARY,
                BASE, 3, 12345, true, false, Instant.ofEpochMilli(1_700_000_000_123L)), BlobKey.random());
    }

    @Test
    void recordsRoundTrip() throws CorruptStoreException {
        MetaRecord p = patch();
        assertEquals(p, MetaRecord.decode(ID, p.encode()));
        MetaRecord dense = new MetaRecord(new TensorMeta(ID, DType.I8, Shape.of(), 1, EncodingKind.DENSE, null, 0, 99,
                false, true, Instant.EPOCH), BlobKey.random());
        assertEquals(dense, MetaRecord.decode(ID, dense.encode()));
        assertEquals(1 + 4 + 8 + 4 + 8 + 8 + 16, dense.encode().length);
    }

    @Test
    void anythingElseIsRefused() {
        byte[] good = patch().encode();
        byte[] version = good.clone();
        version[0] = 2;
        assertTrue(assertThrows(CorruptStoreException.class, () -> MetaRecord.decode(ID, version)).getMessage()
                .contains("version 2"));
        assertThrows(CorruptStoreException.class, () -> MetaRecord.decode(ID, Arrays.copyOf(good, good.length - 1)));
        assertThrows(CorruptStoreException.class, () -> MetaRecord.decode(ID, Arrays.copyOf(good, good.length + 1)));
        byte[] kind = good.clone();
        kind[2] = (byte) EncodingKind.DENSE.code(); // a dense record with a base's bytes after it
        assertThrows(CorruptStoreException.class, () -> MetaRecord.decode(ID, kind));
        byte[] size = good.clone();
        size[5 + 3 * 8 + 7] ^= 1;
        assertTrue(assertThrows(CorruptStoreException.class, () -> MetaRecord.decode(ID, size)).getMessage()
                .contains("size"));
        byte[] dtype = good.clone();
        dtype[1] = (byte) 200;
        assertThrows(CorruptStoreException.class, () -> MetaRecord.decode(ID, dtype));
    }
}
