package io.thetahost.cluster.tensors;

import io.thetahost.cluster.database.ClusterDatabase;
import io.thetahost.cluster.objects.ObjectStore;
import io.thetahost.cluster.objects.ObjectStoreLocation;
import io.thetahost.cluster.objects.S3ObjectStore;
import io.thetahost.cluster.support.LocalCluster;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** PostgreSQL and s3proxy for one test class, and what tests look at behind the store's back. */
final class TensorCluster implements AutoCloseable {
    final LocalCluster cluster;
    final ClusterDatabase database;
    final ObjectStoreLocation location;
    /** For looking at the bucket directly. */
    final S3ObjectStore bucket;

    private TensorCluster(LocalCluster cluster) throws SQLException {
        this.cluster = cluster;
        this.database = cluster.database();
        // The SDK's default chain reads these as it reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
        System.setProperty("aws.accessKeyId", cluster.value("AWS_ACCESS_KEY_ID"));
        System.setProperty("aws.secretAccessKey", cluster.value("AWS_SECRET_ACCESS_KEY"));
        this.location = ObjectStoreLocation.parse(cluster.value("--object-store"), cluster.value("--s3-endpoint"),
                null);
        this.bucket = new S3ObjectStore(location);
    }

    static TensorCluster up() throws Exception {
        return new TensorCluster(LocalCluster.up());
    }

    /** A front's own client, as each daemon has. */
    ObjectStore client() {
        return new S3ObjectStore(location);
    }

    List<String> objects(TensorId id) throws IOException {
        return bucket.list(ObjectKeys.prefix(id), null, 1000);
    }

    long count(String sql, String parameter) throws SQLException {
        try (Connection c = database.connect(); PreparedStatement s = c.prepareStatement(sql)) {
            if (parameter != null) {
                s.setString(1, parameter);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    List<String> strings(String sql, String parameter) throws SQLException {
        try (Connection c = database.connect(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, parameter);
            List<String> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(1));
                }
            }
            return out;
        }
    }

    void update(String sql, String parameter) throws SQLException {
        try (Connection c = database.connect(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, parameter);
            s.executeUpdate();
        }
    }

    long pendingFor(TensorId id) throws SQLException {
        return count("SELECT count(*) FROM pending_uploads WHERE object_key LIKE ?", ObjectKeys.prefix(id) + "%");
    }

    long rowsOf(TensorId id) throws SQLException {
        return count("SELECT count(*) FROM tensors WHERE id = ?", id.toString());
    }

    @Override
    public void close() throws Exception {
        bucket.close();
        cluster.close();
    }
}
