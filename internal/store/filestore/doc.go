// Package filestore is the durable store.Store: one stream's messages in
// append-only segment files, acknowledged only once the fdatasync covering
// them has returned (group commit), with every record checksummed and every
// checksum verified before a record is served.
//
// It leaves to others what a stream decides (discard-new, dedupe, rollups,
// replication) and what the conformance suite pins (internal/store/storetest).
// docs/storage.md has the same description with measured numbers.
//
// # Directory layout
//
//	<dir>/msgs/<id>.seg    segment files; id is 16 lowercase hex digits, ascending
//	<dir>/msgs/<id>.tmp    a rewrite in progress (compaction, quarantine)
//	<dir>/msgs/<id>.bad    a quarantined segment, kept for inspection, never read
//	<dir>/obs/<name>.cons  one consumer's state (name hex-encoded as x<hex> if not [A-Za-z0-9_-])
//
// # Segment file
//
// A segment starts with a header: the same 40-byte block written twice, so
// that a damaged copy is repaired from the other and loses nothing. Records
// follow back to back from offset 80. All integers are little-endian.
//
//	offset size field
//	0      8    magic "HFSEG\x00\x00\x01" (the last byte is the format version)
//	8      8    base: the first sequence the segment may hold
//	16     8    id (must match the file name)
//	24     8    prevTime: the stream's LastTime when the segment was started
//	32     4    reserved, zero
//	36     4    CRC32C of bytes 0..36
//
// A base lower than the end of an earlier segment supersedes it: every
// sequence >= base in earlier segments is gone. Truncate relies on this, and
// the last segment is never removed, so its base and prevTime keep LastSeq and
// LastTime across restarts even when the stream is empty.
//
// # Record
//
//	offset size field
//	0      4    crc: CRC32C of bytes 4..length (the whole record after this field)
//	4      4    length: of the whole record, header included
//	8      1    kind: 1 message, 2 delete, 3 lost
//	9      1    flags: bit 0 = payload is an s2 block (messages only); others zero
//	10     2    subject length (message)
//	12     4    NATS header length (message)
//	16     8    seq (message; the first deleted sequence for kind 2 and 3)
//	24     8    timestamp, unix nanoseconds (message)
//	32     8    TTL in nanoseconds: 0 none, -1 never expires (message)
//	40     4    hcrc: CRC32C of bytes 4..40
//	44     ...  subject, NATS header, payload (message); runs (delete); lost bytes and runs (lost)
//
// With Config.Compress, a payload of 64 bytes or more is stored as an s2
// block when that is smaller; subject and header stay plain. The checksums
// cover the stored bytes. The index keeps the uncompressed record length, so
// accounting (store.MsgSize) is the same as without compression, and a load
// reads that many bytes, which covers the shorter compressed record.
//
// A delete record lists sequences of its own segment as runs, each a pair of
// uvarints: the gap from the end of the previous run (from 0 for the first)
// and the run length. Deletes go to the segment holding the message, so every
// segment is self-contained: it can be removed once it holds nothing, or
// rewritten without its deleted records, without looking at any other. A lost
// record (uvarint byte count, then runs) is written by recovery into the
// rewrite of a quarantined segment, so State().Lost survives restarts.
//
// # Checksums
//
// CRC32C (Castagnoli) detects every burst of up to 32 bits, every error of up
// to 5 bits in a record of up to 655 bytes (Hamming distance 6; Koopman's
// tables) and up to 3 bits in any record we allow, and misses a random
// corruption with probability 2^-32. It runs in hardware (SSE 4.2, ARMv8 CRC)
// at ~19 ns for a 128-byte record; a cryptographic hash costs far more and
// detects random damage no better (we defend against media and software
// faults, not an adversary). Its error bounds are better than the CRC32
// (IEEE) of zip/ethernet at the same cost, which is why storage systems
// (ext4, iSCSI, etcd's WAL, RocksDB) chose it. The separate header checksum lets recovery trust the length before
// reading the body: a record whose header is valid but whose body runs past
// the end of the file is a torn write; a record whose header is unreadable or
// whose body checksum fails while it lies wholly inside the file is
// corruption (unless it is a write torn inside preallocated space: see
// Recovery). It also lets recovery find the next record after a damaged
// region (a position where both checksums hold).
//
// # Writes and group commit
//
// Append assigns the sequence, encodes the record into the active segment's
// pending buffer, indexes it (loads read pending bytes from memory) and
// returns. One flusher goroutine, started by Open and stopped by Close, takes
// every pending buffer at once, writes it, fdatasyncs each file written (and
// the directory when it created a file), and then calls Waiter.Done for every
// append of the batch in sequence order. While it syncs, the next batch
// accumulates. With SyncInterval > 0, Done follows the write and the sync
// runs on that period.
//
// With SyncInterval 0, when a cycle writes a small batch that leaves no zeros
// after it in the active segment file, it also writes 1 MiB of zeros after the data (not past
// the segment size) before its fdatasync: later small appends then overwrite
// allocated, synced blocks and their fdatasync does not commit a new file
// size. A record written over zeros always has at least one zero byte after
// it on disk (a write that would reach the end of the zeros first extends
// them and syncs, or cuts the file back to its data and becomes an append).
// A segment is cut back to its data after it is sealed, and the active one by
// Close, so only after a crash can a segment end in zeros.
//
// A failed write or sync is never retried as if nothing happened: the store
// refuses appends with store.ErrSyncFailed until it is reopened. ENOSPC on a
// write (not a sync) is the exception: the files are cut back to their last
// good size, the appends not yet on disk are dropped from the index and
// reported as store.ErrNoSpace, and the store goes on.
//
// Deletes, purges and expiry remove messages from the index at once and
// queue delete records for the next cycle; Purge, Compact, Truncate and an
// erasing Delete wait for it. An erasing Delete overwrites the payload with
// zeros after its delete record is durable and leaves the record checksum as
// it was, so the erased record can never be served, even if its delete
// record were lost.
//
// # Index
//
// Per segment, three arrays indexed by seq-base: record offset (0: no
// message), record length and subject id: 12 bytes a message, no Go object per
// message. Per subject (interned as a small id): count, first and last, the
// bounds recomputed lazily from the arrays after removals. Load is a binary
// search over segments and an array lookup; LoadNext, LoadPrev, LoadLast and
// FilteredState start from the per-subject bounds and scan the in-memory
// arrays, never the records.
//
// # Recovery
//
// Open reads every segment in id order and rebuilds the index. A torn tail (a
// partial header, a body past the end of the file, or trailing zeros) is cut
// off and logged. In preallocated space a torn write is a prefix of its
// records followed by zeros, so a record or header that fails its checksum is
// torn, not corrupt, when it ends in a zero byte and is followed by at least
// one byte, all zeros, up to the end of the file. A damaged record is never served: the segment is renamed to
// <id>.bad, its intact live records are rewritten to a new <id>.seg together
// with a lost record, and the lost sequences are logged and reported in
// State().Lost. When the damage hides how many records there were at the end
// of the last segment, as many sequences as could have fit are reserved, so
// that no acknowledged sequence is ever reused.
package filestore
