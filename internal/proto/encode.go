package proto

import "strconv"

// The encoders append one op to dst in the exact form nats-server writes
// (PROTOCOL.md §2) and return the extended slice. They do not allocate when
// dst has room, and they do not validate: callers pass subjects and sids
// that contain no whitespace.

// AppendMsg appends "MSG <subject> <sid> [reply] <#bytes>\r\n<payload>\r\n".
func AppendMsg(dst, subject, reply, sid, payload []byte) []byte {
	dst = appendMsgLine(dst, subject, reply, sid, -1, len(payload))
	dst = append(dst, payload...)
	return append(dst, '\r', '\n')
}

// AppendHMsg appends "HMSG <subject> <sid> [reply] <#hdr> <#total>\r\n<payload>\r\n";
// payload holds the hdrLen header bytes followed by the body.
func AppendHMsg(dst, subject, reply, sid []byte, hdrLen int, payload []byte) []byte {
	dst = appendMsgLine(dst, subject, reply, sid, hdrLen, len(payload))
	dst = append(dst, payload...)
	return append(dst, '\r', '\n')
}

// AppendMsgHeader appends only the control line of a delivery, "\r\n"
// included: HMSG when hdrLen > 0, MSG otherwise. total counts header and
// body bytes. A writer fanning one message out to many subscribers appends
// this line per subscriber, then the shared payload and "\r\n".
func AppendMsgHeader(dst, subject, reply, sid []byte, hdrLen, total int) []byte {
	if hdrLen <= 0 {
		hdrLen = -1
	}
	return appendMsgLine(dst, subject, reply, sid, hdrLen, total)
}

// appendMsgLine writes MSG when hdrLen < 0 and HMSG otherwise.
func appendMsgLine(dst, subject, reply, sid []byte, hdrLen, total int) []byte {
	if hdrLen >= 0 {
		dst = append(dst, "HMSG "...)
	} else {
		dst = append(dst, "MSG "...)
	}
	dst = append(dst, subject...)
	dst = append(dst, ' ')
	dst = append(dst, sid...)
	dst = append(dst, ' ')
	if len(reply) > 0 {
		dst = append(dst, reply...)
		dst = append(dst, ' ')
	}
	return appendSizes(dst, hdrLen, total)
}

// appendSizes writes "[<hdr> ]<total>\r\n", omitting hdr when negative.
func appendSizes(dst []byte, hdrLen, total int) []byte {
	if hdrLen >= 0 {
		dst = strconv.AppendInt(dst, int64(hdrLen), 10)
		dst = append(dst, ' ')
	}
	dst = strconv.AppendInt(dst, int64(total), 10)
	return append(dst, '\r', '\n')
}

// AppendInfo appends "INFO <json> \r\n", with the space before "\r\n" that
// nats-server writes (PROTOCOL.md §2).
func AppendInfo(dst, infoJSON []byte) []byte {
	dst = append(dst, "INFO "...)
	dst = append(dst, infoJSON...)
	return append(dst, " \r\n"...)
}

// AppendErr appends "-ERR '<msg>'\r\n" (PROTOCOL.md §9).
func AppendErr(dst []byte, msg string) []byte {
	dst = append(dst, "-ERR '"...)
	dst = append(dst, msg...)
	return append(dst, "'\r\n"...)
}

// AppendPing appends "PING\r\n".
func AppendPing(dst []byte) []byte { return append(dst, "PING\r\n"...) }

// AppendPong appends "PONG\r\n".
func AppendPong(dst []byte) []byte { return append(dst, "PONG\r\n"...) }

// AppendOK appends "+OK\r\n".
func AppendOK(dst []byte) []byte { return append(dst, "+OK\r\n"...) }

// AppendConnect appends "CONNECT <json>\r\n".
func AppendConnect(dst, connectJSON []byte) []byte {
	dst = append(dst, "CONNECT "...)
	dst = append(dst, connectJSON...)
	return append(dst, '\r', '\n')
}

// AppendPub appends "PUB <subject> [reply] <#bytes>\r\n<payload>\r\n".
func AppendPub(dst, subject, reply, payload []byte) []byte {
	dst = appendPubLine(dst, "PUB ", subject, reply, -1, len(payload))
	dst = append(dst, payload...)
	return append(dst, '\r', '\n')
}

// AppendHPub appends "HPUB <subject> [reply] <#hdr> <#total>\r\n<payload>\r\n";
// payload holds the hdrLen header bytes followed by the body.
func AppendHPub(dst, subject, reply []byte, hdrLen int, payload []byte) []byte {
	dst = appendPubLine(dst, "HPUB ", subject, reply, hdrLen, len(payload))
	dst = append(dst, payload...)
	return append(dst, '\r', '\n')
}

func appendPubLine(dst []byte, name string, subject, reply []byte, hdrLen, total int) []byte {
	dst = append(dst, name...)
	dst = append(dst, subject...)
	dst = append(dst, ' ')
	if len(reply) > 0 {
		dst = append(dst, reply...)
		dst = append(dst, ' ')
	}
	return appendSizes(dst, hdrLen, total)
}

// AppendSub appends "SUB <subject> [queue] <sid>\r\n".
func AppendSub(dst, subject, queue, sid []byte) []byte {
	dst = append(dst, "SUB "...)
	dst = append(dst, subject...)
	dst = append(dst, ' ')
	if len(queue) > 0 {
		dst = append(dst, queue...)
		dst = append(dst, ' ')
	}
	dst = append(dst, sid...)
	return append(dst, '\r', '\n')
}

// AppendUnsub appends "UNSUB <sid> [max]\r\n"; max <= 0 leaves it out.
func AppendUnsub(dst, sid []byte, max int) []byte {
	dst = append(dst, "UNSUB "...)
	dst = append(dst, sid...)
	if max > 0 {
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, int64(max), 10)
	}
	return append(dst, '\r', '\n')
}

// AppendOp appends op in its canonical wire form, so that parsing the result
// yields an equal Op. It is the inverse of the Parser, for proxies and tests.
func AppendOp(dst []byte, op *Op) []byte {
	switch op.Kind {
	case OpConnect:
		return AppendConnect(dst, op.Arg)
	case OpPub:
		return AppendPub(dst, op.Subject, op.Reply, op.Payload)
	case OpHPub:
		return AppendHPub(dst, op.Subject, op.Reply, op.HeaderLen, op.Payload)
	case OpSub:
		return AppendSub(dst, op.Subject, op.Queue, op.SID)
	case OpUnsub:
		return AppendUnsub(dst, op.SID, op.Max)
	case OpPing:
		return AppendPing(dst)
	case OpPong:
		return AppendPong(dst)
	case OpInfo:
		return AppendInfo(dst, op.Arg)
	case OpMsg:
		return AppendMsg(dst, op.Subject, op.Reply, op.SID, op.Payload)
	case OpHMsg:
		return AppendHMsg(dst, op.Subject, op.Reply, op.SID, op.HeaderLen, op.Payload)
	case OpOK:
		return AppendOK(dst)
	case OpErr:
		dst = append(dst, "-ERR '"...)
		dst = append(dst, op.Arg...)
		return append(dst, "'\r\n"...)
	}
	return dst
}
