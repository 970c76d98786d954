package io.thetahost.client.remote;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A transport's streams whose failures are reported as what they mean (a lost connection), one wrapper for each. */
final class TranslatedStreams {
    /** Turns a stream's failure into the exception the caller sees. */
    interface Translation {
        IOException of(IOException failure);
    }

    private TranslatedStreams() {
    }

    static OutputStream output(OutputStream out, Translation translation) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    out.write(b, off, len);
                } catch (IOException e) {
                    throw translation.of(e);
                }
            }

            @Override
            public void flush() throws IOException {
                try {
                    out.flush();
                } catch (IOException e) {
                    throw translation.of(e);
                }
            }
        };
    }

    static InputStream input(InputStream in, Translation translation) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                try {
                    return in.read();
                } catch (IOException e) {
                    throw translation.of(e);
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return in.read(b, off, len);
                } catch (IOException e) {
                    throw translation.of(e);
                }
            }
        };
    }
}
