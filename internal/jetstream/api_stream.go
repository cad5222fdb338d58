package jetstream

import (
	"bytes"
	"sort"
	"strings"
	"time"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/subject"
)

// Handlers of $JS.API.STREAM.{CREATE,UPDATE,INFO,DELETE,NAMES,LIST}
// (JETSTREAM-API.md §3). Creates, updates and deletes are serialised by
// js.admin so that the subject-overlap check and the change are atomic.

func (js *JetStream) apiStreamCreate(r *apiRequest, name string) any {
	resp := &jsapi.StreamCreateResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.StreamCreateResponseType}}
	si, did, err := js.createStream(r.payload, name)
	if err != nil {
		resp.Error = err
		return resp
	}
	resp.StreamInfo, resp.DidCreate = si, did
	return resp
}

// decodeStreamConfig decodes a create or update body; an empty body is an
// empty config (whose name then mismatches the subject, as on nats-server).
func decodeStreamConfig(payload []byte) (jsapi.StreamCreateRequest, *jsapi.ApiError) {
	var req jsapi.StreamCreateRequest
	if len(bytes.TrimSpace(payload)) == 0 {
		return req, nil
	}
	return req, jsapi.Decode(payload, &req)
}

func (js *JetStream) createStream(payload []byte, name string) (*jsapi.StreamInfo, bool, *jsapi.ApiError) {
	req, e := decodeStreamConfig(payload)
	if e != nil {
		return nil, false, e
	}
	cfg := req.StreamConfig
	switch {
	case cfg.Name != name:
		return nil, false, jsapi.NewError(jsapi.JSStreamMismatchErr)
	case strings.ContainsAny(name, `\/`):
		return nil, false, jsapi.NewError(jsapi.JSStreamNameContainsPathSeparatorsErr)
	case cfg.Sealed:
		return nil, false, configError("stream configuration for create can not be sealed")
	case cfg.MirrorDirect && cfg.Mirror == nil:
		return nil, false, configError("stream has no mirror but does have mirror direct")
	}
	if e := setConfigDefaults(&cfg, req.Pedantic); e != nil {
		return nil, false, e
	}
	if e := checkConfig(&cfg); e != nil {
		return nil, false, e
	}
	if cfg.Replicas > 1 {
		return nil, false, jsapi.NewError(jsapi.JSStreamReplicasNotSupportedErr)
	}
	js.admin.Lock()
	defer js.admin.Unlock()
	if st := js.lookup(name); st != nil {
		if !sameConfig(st.config(), cfg) {
			return nil, false, jsapi.NewError(jsapi.JSStreamNameExistErr)
		}
		si, _ := st.info(infoOpts{})
		return si, true, nil
	}
	if js.overlapsOther(name, cfg.Subjects) {
		return nil, false, jsapi.NewError(jsapi.JSStreamSubjectOverlapErr)
	}
	if e := js.checkResources(&cfg, name); e != nil {
		return nil, false, e
	}
	st, err := js.addStream(cfg)
	if err != nil {
		js.log.Error("stream not created", "stream", name, "error", err)
		return nil, false, jsapi.NewError(jsapi.JSStreamCreateErrF, "err", err.Error())
	}
	js.adviseStream(jsapi.AdvisoryStreamCreatedT, jsapi.ActionCreated, name)
	js.retryDeadLetters(name)
	si, _ := st.info(infoOpts{})
	return si, true, nil
}

// addStream writes the meta file, opens the store and starts capturing.
func (js *JetStream) addStream(cfg jsapi.StreamConfig) (*stream, error) {
	dir := js.streamDir(cfg.Name)
	created := time.Now().UTC()
	if err := persistMeta(dir, cfg, created); err != nil {
		return nil, err
	}
	st, err := js.openStream(cfg, created, dir)
	if err != nil {
		return nil, err
	}
	st.removals.enable(cfg.SubjectDeleteMarkerTTL > 0)
	st.mu.Lock()
	err = st.subscribeLocked()
	st.mu.Unlock()
	if err != nil {
		_ = st.destroy()
		return nil, err
	}
	js.mu.Lock()
	js.mu.streams[cfg.Name] = st
	js.publishListLocked()
	js.mu.Unlock()
	js.log.Info("stream created", "stream", cfg.Name, "storage", cfg.Storage.String(), "subjects", cfg.Subjects)
	return st, nil
}

// overlapsOther reports whether subjects collide with another stream's.
func (js *JetStream) overlapsOther(name string, subjects []string) bool {
	for _, st := range js.sortedStreams() {
		if st.name == name {
			continue
		}
		for _, a := range st.config().Subjects {
			for _, b := range subjects {
				if subject.Overlap(a, b) {
					return true
				}
			}
		}
	}
	return false
}

// checkResources rejects a stream whose max_bytes, added to the other
// streams' reservations, does not fit in the server's limit for its
// storage type: 10047 (file) or 10028 (memory), as nats-server.
func (js *JetStream) checkResources(cfg *jsapi.StreamConfig, name string) *jsapi.ApiError {
	limit, id := js.opts.Limits.MaxStore, jsapi.JSStorageResourcesExceededErr
	if cfg.Storage == jsapi.MemoryStorage {
		limit, id = js.opts.Limits.MaxMemory, jsapi.JSMemoryResourcesExceededErr
	}
	if limit <= 0 || cfg.MaxBytes <= 0 {
		return nil
	}
	reserved := cfg.MaxBytes
	for _, st := range js.streams() {
		if c := st.config(); st.name != name && c.Storage == cfg.Storage && c.MaxBytes > 0 {
			reserved += c.MaxBytes
		}
	}
	if reserved > limit {
		return jsapi.NewError(id)
	}
	return nil
}

func (js *JetStream) apiStreamUpdate(r *apiRequest, name string) any {
	resp := &jsapi.StreamUpdateResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.StreamUpdateResponseType}}
	si, err := js.updateStream(r.payload, name)
	if err != nil {
		resp.Error = err
		return resp
	}
	resp.StreamInfo = si
	return resp
}

func (js *JetStream) updateStream(payload []byte, name string) (*jsapi.StreamInfo, *jsapi.ApiError) {
	req, e := decodeStreamConfig(payload)
	if e != nil {
		return nil, e
	}
	cfg := req.StreamConfig
	if e := setConfigDefaults(&cfg, req.Pedantic); e != nil {
		return nil, e
	}
	if e := checkConfig(&cfg); e != nil {
		return nil, e
	}
	if cfg.Name != name {
		return nil, jsapi.NewError(jsapi.JSStreamMismatchErr)
	}
	js.admin.Lock()
	defer js.admin.Unlock()
	st := js.lookup(name)
	if st == nil {
		return nil, jsapi.NewError(jsapi.JSStreamNotFoundErr)
	}
	old := st.config()
	if e := checkUpdate(&old, &cfg); e != nil {
		return nil, e
	}
	if cfg.Replicas > 1 {
		return nil, jsapi.NewError(jsapi.JSStreamReplicasNotSupportedErr)
	}
	if js.overlapsOther(name, cfg.Subjects) {
		return nil, jsapi.NewError(jsapi.JSStreamSubjectOverlapErr)
	}
	if e := js.checkResources(&cfg, name); e != nil {
		return nil, e
	}
	cfg.FirstSeq = old.FirstSeq // only meaningful at creation
	setServerMetadata(&cfg)
	if err := st.update(cfg); err != nil {
		js.log.Error("stream not updated", "stream", name, "error", err)
		return nil, jsapi.NewError(jsapi.JSStreamUpdateErrF, "err", err.Error())
	}
	js.adviseStream(jsapi.AdvisoryStreamUpdatedT, jsapi.ActionModified, name)
	js.retryDeadLetters(name)
	si, _ := st.info(infoOpts{})
	return si, nil
}

// update applies a validated config: meta file first, then the store's
// limits, the subscriptions and the publish state.
func (st *stream) update(cfg jsapi.StreamConfig) error {
	if err := persistMeta(st.dir, cfg, st.created); err != nil {
		return err
	}
	sc := st.js.storeConfig(&cfg)
	sc.OnRemove = st.onStoreRemove
	st.removals.enable(cfg.SubjectDeleteMarkerTTL > 0)
	st.mu.Lock()
	defer st.mu.Unlock()
	st.mu.cfg = cfg
	st.mu.republish = compileRePublish(&cfg)
	st.mu.transform = compileTransform(&cfg)
	st.mu.dedup.setWindow(cfg.Duplicates, st.js.now())
	if err := st.store.UpdateConfig(sc); err != nil {
		return err
	}
	if cfg.MaxAge > 0 {
		st.armLocked(st.js.now())
	}
	return st.subscribeLocked()
}

func (js *JetStream) apiStreamInfo(r *apiRequest, name string) any {
	resp := &jsapi.StreamInfoResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.StreamInfoResponseType}}
	var req jsapi.StreamInfoRequest
	if e := decodeOptional(r.payload, &req); e != nil {
		resp.Error = e
		return resp
	}
	st := js.lookup(name)
	if st == nil {
		resp.Error = jsapi.NewError(jsapi.JSStreamNotFoundErr)
		return resp
	}
	resp.StreamInfo, resp.ApiPaged = st.info(infoOpts{deleted: req.DeletedDetails,
		subjectsFilter: req.SubjectsFilter, offset: req.Offset, cluster: true})
	return resp
}

// pageSubjects returns one page of the subject counts, sorted by subject
// when it has to be cut (JETSTREAM-API.md §12).
func pageSubjects(m map[string]uint64, offset int) (map[string]uint64, jsapi.ApiPaged) {
	paged := jsapi.ApiPaged{Total: len(m), Limit: jsapi.MaxSubjectDetails, Offset: clamp(offset, len(m))}
	if paged.Offset == 0 && len(m) <= jsapi.MaxSubjectDetails {
		return m, paged
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	keys = keys[paged.Offset:min(paged.Offset+jsapi.MaxSubjectDetails, len(keys))]
	page := make(map[string]uint64, len(keys))
	for _, k := range keys {
		page[k] = m[k]
	}
	return page, paged
}

// clamp limits an offset to [0, n].
func clamp(offset, n int) int {
	return min(max(offset, 0), n)
}

// page cuts one page of at most limit items from all, starting at offset
// (clamped into range), and returns the total and the offset it used, as
// the NAMES and LIST responses report them.
func page[T any](all []T, offset, limit int) (total, off int, items []T) {
	off = clamp(offset, len(all))
	return len(all), off, all[off:min(off+limit, len(all))]
}

func (js *JetStream) apiStreamDelete(r *apiRequest, name string) any {
	resp := &jsapi.StreamDeleteResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.StreamDeleteResponseType}}
	if !jsapi.IsEmptyRequest(r.payload) {
		resp.Error = jsapi.NewError(jsapi.JSNotEmptyRequestErr)
		return resp
	}
	js.admin.Lock()
	defer js.admin.Unlock()
	st := js.lookup(name)
	if st == nil {
		resp.Error = jsapi.NewError(jsapi.JSStreamNotFoundErr)
		return resp
	}
	js.mu.Lock()
	delete(js.mu.streams, name)
	js.publishListLocked()
	js.mu.Unlock()
	if err := st.destroy(); err != nil {
		js.log.Error("stream not fully deleted", "stream", name, "error", err)
		resp.Error = jsapi.NewError(jsapi.JSStreamDeleteErrF, "err", err.Error())
		return resp
	}
	js.log.Info("stream deleted", "stream", name)
	js.adviseStream(jsapi.AdvisoryStreamDeletedT, jsapi.ActionDeleted, name)
	resp.Success = true
	return resp
}

// matchingStreams returns the streams (by name) whose subjects collide
// with filter ("" for all), and the page offset clamped.
func (js *JetStream) matchingStreams(filter string) []*stream {
	var out []*stream
	for _, st := range js.sortedStreams() {
		if filter == "" || st.captures(filter) {
			out = append(out, st)
		}
	}
	return out
}

// captures reports whether any of the stream's subjects overlaps filter.
func (st *stream) captures(filter string) bool {
	for _, s := range st.config().Subjects {
		if subject.Overlap(s, filter) {
			return true
		}
	}
	return false
}

func (js *JetStream) apiStreamNames(r *apiRequest, _ string) any {
	resp := &jsapi.StreamNamesResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.StreamNamesResponseType},
		ApiPaged: jsapi.ApiPaged{Limit: jsapi.NamesLimit}}
	var req jsapi.StreamNamesRequest
	if e := decodeOptional(r.payload, &req); e != nil {
		resp.Error = e
		return resp
	}
	all := js.matchingStreams(req.Subject)
	var items []*stream
	resp.Total, resp.Offset, items = page(all, req.Offset, jsapi.NamesLimit)
	for _, st := range items {
		resp.Streams = append(resp.Streams, st.name)
	}
	return resp
}

func (js *JetStream) apiStreamList(r *apiRequest, _ string) any {
	resp := &jsapi.StreamListResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.StreamListResponseType},
		ApiPaged: jsapi.ApiPaged{Limit: jsapi.ListLimit}, Streams: []*jsapi.StreamInfo{}}
	var req jsapi.StreamListRequest
	if e := decodeOptional(r.payload, &req); e != nil {
		resp.Error = e
		return resp
	}
	all := js.matchingStreams(req.Subject)
	var items []*stream
	resp.Total, resp.Offset, items = page(all, req.Offset, jsapi.ListLimit)
	for _, st := range items {
		si, _ := st.info(infoOpts{cluster: true})
		resp.Streams = append(resp.Streams, si)
	}
	return resp
}

func (js *JetStream) apiAccountInfo(_ *apiRequest, _ string) any {
	info := &jsapi.AccountInfo{Domain: js.opts.Domain}
	info.Limits = jsapi.AccountLimits{MaxMemory: -1, MaxStore: -1, MaxStreams: -1, MaxConsumers: -1,
		MaxAckPending: -1, MemoryMaxStreamBytes: -1, StoreMaxStreamBytes: -1}
	for _, st := range js.sortedStreams() {
		cfg := st.config()
		bytes := st.store.State().Bytes
		info.Streams++
		info.Consumers += st.cons.len()
		if cfg.Storage == jsapi.MemoryStorage {
			info.Memory += bytes
			info.ReservedMemory += uint64(max(cfg.MaxBytes, 0))
		} else {
			info.Store += bytes
			info.ReservedStore += uint64(max(cfg.MaxBytes, 0))
		}
	}
	info.API = jsapi.APIStats{Level: APILevel, Total: js.apiTotal.Load(), Errors: js.apiErrors.Load()}
	return &jsapi.AccountInfoResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.AccountInfoResponseType}, AccountInfo: info}
}

// persistMeta writes the meta file of a file stream. Memory streams are not
// persisted: like nats-server, holdfast forgets them on restart.
func persistMeta(dir string, cfg jsapi.StreamConfig, created time.Time) error {
	if cfg.Storage == jsapi.MemoryStorage {
		return nil
	}
	return writeMeta(dir, streamMeta{Config: cfg, Created: created})
}
