// Package ackstate is the pure core of a JetStream consumer's acknowledgement
// state: which stream sequences it delivered, which await an ack, which are due
// for redelivery, and which it parked after reaching max_deliver.
//
// It does no I/O, starts no goroutines and reads no clock: every operation
// takes the time as an argument (unix nanoseconds), and the owner asks
// NextDeadline when to call Tick. The consumer goroutine in package jetstream
// owns one State, persists what it reports, and turns Events into advisories.
//
// # Semantics (JETSTREAM-MESSAGING.md, RETENTION.md)
//
//   - Every delivery, first or repeated, gets the next consumer sequence.
//   - AckNone: a delivery is final at once; nothing is pending.
//   - AckExplicit: Ack, Term and Nak act on one stream sequence.
//   - AckAll: an ack of sequence s acknowledges every pending sequence <= s
//     (and releases parked ones <= s: the client acknowledged them too).
//   - A pending message whose ack wait (or BackOff step for its delivery
//     count) passes is redelivered, unless it already had MaxDeliver
//     deliveries: then it is parked and an EventMaxDeliveries is reported.
//   - Nak on a message's last allowed delivery parks it at once (nats-server
//     would wait for the next delivery attempt to notice); Nak with a delay
//     holds the redelivery back for that long.
//   - Progress (+WPI) restarts the ack-wait clock of a pending message.
//
// Parked messages are holdfast's answer to nats-server #6538: they no longer
// count as pending and never move the ack floor backwards, but Holds still
// reports them, so a stream under interest or work-queue retention keeps them
// until the consumer acks or terminates them (or the consumer goes away). The
// ack floor itself moves as nats-server reports it: never on a delivery; on
// an ack or TERM of the lowest pending message, to just below the next one
// still pending, or to the last delivered when none is.
//
// # Dead letters (issue 7)
//
// When Config.DeadLetter names a reason, the ending it names records the
// message as a DeadLetter instead: max deliveries (rather than parking) and
// TERM (rather than dropping). A dead letter leaves the redelivery schedule
// and the ack floor like a parked message, Holds keeps reporting it, and
// acks, NAKs and TERMs of it are Late and change nothing: the move is
// decided. The owner copies it to the dead-letter stream and calls
// DeadLettered once the copy is durable. DeadLetterParked moves a parked
// message by hand; Reopen makes a delivered message pending again (redrive).
// With Config.History, each message remembers its first and most recent
// delivery attempts (time, client, how each ended).
package ackstate
