package jetstream

import "testing"

func TestTransform(t *testing.T) {
	tests := []struct {
		src, dest, in, want string
		bad                 bool
	}{
		{src: "a.*.*", dest: "b.$2.{{wildcard(1)}}", in: "a.x.y", want: "b.y.x"},
		{src: "a.>", dest: "b.>", in: "a.x.y", want: "b.x.y"},
		{src: ">", dest: "out.>", in: "q", want: "out.q"},
		{src: "a.*", dest: "lit", in: "a.x", want: "lit"},
		{src: "a.*", dest: "b.{{ Wildcard( 1 ) }}", in: "a.x", want: "b.x"},
		{src: "a.*", dest: "b.*", bad: true},
		{src: "a.*", dest: "b.$2", bad: true},
		{src: "a.>", dest: "b", bad: true},
		{src: "a", dest: "b.>", bad: true},
		{src: "a..", dest: "b", bad: true},
		{src: "a.*", dest: "b.{{partition(3,1)}}", bad: true},
	}
	for _, tt := range tests {
		tr, err := newTransform(tt.src, tt.dest)
		if (err != nil) != tt.bad {
			t.Errorf("newTransform(%q, %q): %v", tt.src, tt.dest, err)
			continue
		}
		if tt.bad {
			continue
		}
		if got, ok := tr.apply(tt.in); !ok || got != tt.want {
			t.Errorf("%q -> %q on %q = %q %v, want %q", tt.src, tt.dest, tt.in, got, ok, tt.want)
		}
		if _, ok := tr.apply("nomatch.z.z.z"); ok && tt.src != ">" {
			t.Errorf("%q matched nomatch", tt.src)
		}
	}
}
