package io.thetahost.cluster.git;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.lib.StoredConfig;

/**
 * A repository's git config, kept as text in its {@code repositories} row. {@link #save()} writes the text back only
 * if the row still holds what this config was read from, so that a change another front or an admin command made
 * meanwhile is refused rather than silently overwritten.
 */
final class RepositoryConfig extends StoredConfig {
    private final RepositoryConnection rows;
    /** The row's text this config was parsed from (or last saved). */
    private String stored;

    RepositoryConfig(RepositoryConnection rows, String text) throws IOException {
        this.rows = rows;
        parse(text);
    }

    private void parse(String text) throws IOException {
        try {
            fromText(text);
        } catch (ConfigInvalidException e) {
            throw new IOException("the config of repository " + rows.repository() + " does not parse: "
                    + e.getMessage(), e);
        }
        stored = text;
    }

    @Override
    public void load() throws IOException {
        String text = rows.read("read the config", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT config FROM repositories WHERE name = ?")) {
                s.setString(1, rows.repository());
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? r.getString(1) : null;
                }
            }
        });
        if (text == null) {
            throw new RepositoryNotFoundException(rows.repository());
        }
        parse(text);
    }

    @Override
    public void save() throws IOException {
        String text = toText();
        boolean saved = rows.transaction("save the config", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE repositories SET config = ? WHERE name = ? AND config = ?")) {
                s.setString(1, text);
                s.setString(2, rows.repository());
                s.setString(3, stored);
                return s.executeUpdate() == 1;
            }
        });
        if (!saved) {
            throw new IOException("the config of repository " + rows.repository() + " was changed or the repository "
                    + "deleted since this front read it; load it again and redo the change");
        }
        stored = text;
        fireConfigChangedEvent();
    }
}
