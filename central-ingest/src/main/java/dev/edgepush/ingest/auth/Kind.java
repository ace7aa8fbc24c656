package dev.edgepush.ingest.auth;

/** What a token may do. */
public enum Kind {
    /** May write samples, always as the robot named in its entry, into its tenant. */
    ROBOT,
    /** May query its tenant (the query proxy); may not write. */
    READER
}
