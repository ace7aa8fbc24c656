package dev.edgepush.ingest.http;

import dev.edgepush.ingest.auth.Identity;
import dev.edgepush.ingest.decode.StampedBatch;

/**
 * What {@link WriteDecodeHandler} hands to {@link IngestHandler}: a validated, stamped batch and
 * who sent it. Holds no reference-counted buffers.
 *
 * @param remoteWriteV2 the sender spoke 2.0 and expects the {@code -Written} headers
 */
record IngestRequest(Identity identity, StampedBatch batch, boolean remoteWriteV2) {}
