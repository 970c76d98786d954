package io.thetahost.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/** Seeded random mutations for fuzz tests: bit flips, JSON punctuation, cuts, insertions, copies, odd numbers. */
public final class Mutations {
    private static final String JSON_BYTES = "{}[]\":,0123456789-+.eE \\u\n\t";
    private static final String[] NUMBERS = {"0", "1", "-1", "-0", "7", "1.5", "1e3", "9223372036854775807",
        "9223372036854775808", "18446744073709551616", "4294967296", "99999999999999999999999", "00", "2147483648"};

    private Mutations() {
    }

    /** One to three mutations of {@code input} (which is not changed). */
    public static byte[] mutate(byte[] input, Random random) {
        byte[] b = input;
        int rounds = 1 + random.nextInt(3);
        for (int i = 0; i < rounds; i++) {
            b = mutateOnce(b, random);
        }
        return b;
    }

    private static byte[] mutateOnce(byte[] b, Random random) {
        if (b.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        int at = random.nextInt(b.length);
        switch (random.nextInt(8)) {
            case 0: {
                byte[] out = b.clone();
                out[at] ^= (byte) (1 << random.nextInt(8));
                return out;
            }
            case 1: {
                byte[] out = b.clone();
                out[at] = (byte) JSON_BYTES.charAt(random.nextInt(JSON_BYTES.length()));
                return out;
            }
            case 2:
                return Arrays.copyOf(b, at);
            case 3: {
                int len = Math.min(b.length - at, 1 + random.nextInt(64));
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + len, out, at, b.length - at - len);
                return out;
            }
            case 4: {
                byte[] insert = new byte[1 + random.nextInt(16)];
                random.nextBytes(insert);
                return splice(b, at, 0, insert);
            }
            case 5: {
                int len = Math.min(b.length - at, 1 + random.nextInt(200));
                return splice(b, random.nextInt(b.length), 0, Arrays.copyOfRange(b, at, at + len));
            }
            case 6:
                return replaceNumber(b, at, random);
            default: {
                byte[] out = b.clone();
                out[at] = (byte) random.nextInt(256);
                return out;
            }
        }
    }

    /** Replaces the run of digits at or after {@code at} with a number chosen to stress the size rules. */
    private static byte[] replaceNumber(byte[] b, int at, Random random) {
        int start = at;
        while (start < b.length && !Character.isDigit(b[start])) {
            start++;
        }
        if (start == b.length) {
            return b;
        }
        int end = start;
        while (end < b.length && Character.isDigit(b[end])) {
            end++;
        }
        String n = random.nextBoolean() ? NUMBERS[random.nextInt(NUMBERS.length)]
                : Long.toString(Math.max(0, Long.parseLong(new String(b, start, Math.min(end - start, 18),
                        StandardCharsets.US_ASCII)) + random.nextInt(17) - 8));
        return splice(b, start, end - start, n.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }
}
