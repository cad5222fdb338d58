package monitor

import (
	"net/http"
	"time"
)

// GlobalAccount is the one account holdfast has: nats-server's default
// account for configurations without accounts.
const GlobalAccount = "$G"

// Accountz is the /accountz response: the account names, or with acc=<name>
// that account's detail.
type Accountz struct {
	ID            string         `json:"server_id"`
	Now           time.Time      `json:"now"`
	SystemAccount string         `json:"system_account,omitempty"`
	Accounts      []string       `json:"accounts,omitempty"`
	Account       *AccountDetail `json:"account_detail,omitempty"`
}

// AccountDetail is the minimal account detail holdfast reports.
type AccountDetail struct {
	Name       string            `json:"account_name"`
	UpdateTime time.Time         `json:"update_time"`
	Expired    bool              `json:"expired"`
	Complete   bool              `json:"complete"`
	JetStream  bool              `json:"jetstream_enabled"`
	LeafCnt    int               `json:"leafnode_connections"`
	ClientCnt  int               `json:"client_connections"`
	SubCnt     uint32            `json:"subscriptions"`
	NameTag    string            `json:"name_tag,omitempty"`
	Sublist    *SublistStatsJSON `json:"sublist_stats,omitempty"`
}

func (h *Handler) serveAccountz(w http.ResponseWriter, r *http.Request) {
	info := h.srv.Info()
	az := &Accountz{ID: info.ID, Now: h.now().UTC()}
	acc := r.URL.Query().Get("acc")
	switch acc {
	case "":
		az.Accounts = []string{GlobalAccount}
	case GlobalAccount:
		st := h.srv.Stats()
		sz := h.Subsz(SubszOptions{})
		az.Account = &AccountDetail{
			Name:       GlobalAccount,
			UpdateTime: info.Start.UTC(),
			Complete:   true,
			JetStream:  h.jetStream() != nil,
			ClientCnt:  st.Conns,
			SubCnt:     uint32(st.Subscriptions),
			NameTag:    GlobalAccount,
			Sublist:    &sz.SublistStatsJSON,
		}
	default:
		badRequest(w, "Account "+acc+" does not exist")
		return
	}
	h.writeJSON(w, http.StatusOK, az)
}
