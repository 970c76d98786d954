package io.thetahost.server.daemon;

import io.thetahost.hooks.transport.RequestLog;
import io.thetahost.hooks.transport.RequestRecord;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Appends one line per git request to {@code DATA/logs/requests.log}; each line is flushed as it is written. */
public final class RequestLogFile implements RequestLog, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RequestLogFile.class);

    private final Writer writer;

    public RequestLogFile(Path file) throws IOException {
        writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    @Override
    public synchronized void record(RequestRecord record) {
        try {
            writer.write(record.toLine());
            writer.write('\n');
            writer.flush();
        } catch (IOException e) {
            LOG.warn("cannot write the request log: {}", e.getMessage());
        }
    }

    @Override
    public synchronized void close() throws IOException {
        writer.close();
    }
}
