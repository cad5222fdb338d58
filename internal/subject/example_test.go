package subject_test

import (
	"fmt"

	"github.com/holdfast-mq/holdfast/internal/subject"
)

func ExampleIndex() {
	x := subject.NewIndex[string]()
	_ = x.Insert("orders.*.created", "", "audit")
	_ = x.Insert("orders.>", "workers", "w1")
	_ = x.Insert("orders.>", "workers", "w2")

	r := x.Match("orders.eu.created")
	fmt.Println(r.Plain, r.Queues[0].Name, len(r.Queues[0].Members))
	fmt.Println(x.HasInterest("orders.eu"), x.HasInterest("invoices.eu"))
	// Output:
	// [audit] workers 2
	// true false
}

func ExampleTokensFrom() {
	const s = "$JS.API.CONSUMER.CREATE.ORDERS.C1.orders.*.>"
	fmt.Println(subject.Token(s, 5), subject.Token(s, 6), subject.TokensFrom(s, 7))
	rest, ok := subject.CutPrefix("$JS.API.STREAM.INFO.ORDERS", "$JS.API.STREAM.INFO")
	fmt.Println(rest, ok)
	// Output:
	// ORDERS C1 orders.*.>
	// ORDERS true
}

func ExampleOverlap() {
	fmt.Println(subject.Overlap("orders.*", "orders.eu.>"))
	fmt.Println(subject.Overlap("orders.>", "*.eu"))
	fmt.Println(subject.SubsetOf("orders.eu.*", "orders.>"))
	// Output:
	// false
	// true
	// true
}
