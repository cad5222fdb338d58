// Package broker is core NATS routing: subscriptions, interest and publish fan-out.
//
// A Broker owns one subscription index (one account). Publishing matches the
// subject against the index and hands the message to every plain subscription and
// to one member of every queue group. Delivery goes through the Subscriber
// interface, which connections (package conn) and internal handlers (package
// jetstream) implement; the broker never touches a socket and never blocks on a
// slow receiver: a Subscriber that cannot keep up drops itself.
//
// Request/reply needs nothing special here: a reply subject is an ordinary
// subject the requester subscribed to. No-responders (status 503) is decided by
// the publishing connection from the delivery count Publish returns, because only
// it knows whether it asked for that behaviour (PROTOCOL.md §7).
package broker
