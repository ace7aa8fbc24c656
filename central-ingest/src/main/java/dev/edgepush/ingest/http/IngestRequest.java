package dev.edgepush.ingest.http;

import dev.edgepush.ingest.auth.Identity;
import dev.edgepush.ingest.decode.StampedBatch;

/**
 * What {@link WriteDecodeHandler} hands to {@link IngestHandler}: a validated, stamped batch and
 * who sent it. Holds no reference-counted buffers.
 *
 * @param remoteWriteV2 the sender spoke 2.0 and expects the {@code -Written} headers
 * @param clockShiftMs how far its timestamps were shifted back for the robot's clock (0: not)
 */
record IngestRequest(Identity identity, StampedBatch batch, boolean remoteWriteV2, long clockShiftMs) {
    IngestRequest(Identity identity, StampedBatch batch, boolean remoteWriteV2) {
        this(identity, batch, remoteWriteV2, 0);
    }
}
