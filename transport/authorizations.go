package transport

import (
	"bytes"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/tekstore/tekstore/cards"
	"github.com/tekstore/tekstore/codes"
	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/secrets"
	"github.com/tekstore/tekstore/tek"
)

// Limits of POST /v1/authorizations.
const (
	maxCodesPerRequest = 1000
	defaultCodeTTL     = 14 * 24 * time.Hour
)

type authorizationsRequest struct {
	Count      *int    `json:"count"`
	TTL        *string `json:"ttl"`
	ReportType *string `json:"reportType"`
	Onset      *string `json:"onset"`
}

type issuedCode struct {
	Code      string `json:"code"`
	ID        string `json:"id"`
	ExpiresAt string `json:"expiresAt"`
}

type authorizationsResponse struct {
	Codes []issuedCode `json:"codes"`
}

// issueParams is a validated authorizations request.
type issueParams struct {
	count    int
	ttl      time.Duration
	report   tek.ReportType
	hasOnset bool
	onsetDay int32
}

func (s *Server) parseIssue(body []byte) (issueParams, error) {
	var req authorizationsRequest
	if len(bytes.TrimSpace(body)) > 0 {
		if err := decodeStrict(body, &req); err != nil {
			return issueParams{}, err
		}
	}
	p := issueParams{count: 1, ttl: defaultCodeTTL, report: tek.ReportConfirmed}
	if req.Count != nil {
		if *req.Count < 1 || *req.Count > maxCodesPerRequest {
			return p, badRequest("count must be 1..%d", maxCodesPerRequest)
		}
		p.count = *req.Count
	}
	if p.ttl > s.cfg.MaxCodeTTL {
		p.ttl = s.cfg.MaxCodeTTL
	}
	if req.TTL != nil {
		d, err := time.ParseDuration(*req.TTL)
		if err != nil || d <= 0 || d > s.cfg.MaxCodeTTL {
			return p, badRequest("ttl must be a positive duration up to %s", s.cfg.MaxCodeTTL)
		}
		p.ttl = d
	}
	if req.ReportType != nil {
		rt, ok := tek.ParseReportType(*req.ReportType)
		if !ok {
			return p, badRequest("reportType must be confirmed, clinical, self_report or recursive")
		}
		p.report = rt
	}
	if req.Onset != nil {
		t, err := time.Parse("2006-01-02", *req.Onset)
		if err != nil {
			return p, badRequest("onset must be a date such as 2026-11-20")
		}
		if t.After(time.Now().Add(24 * time.Hour)) {
			return p, badRequest("onset is in the future")
		}
		p.hasOnset, p.onsetDay = true, int32(t.Unix()/86400)
	}
	return p, nil
}

// wantsPDF reports whether the client asked for printable cards.
func wantsPDF(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "application/pdf" {
			return true
		}
	}
	return false
}

// handleAuthorizations is POST /v1/authorizations: a provider issues
// single-use codes. The plain codes are made on the leader, shown once in
// this answer, and only their keyed hashes enter the log.
func (s *Server) handleAuthorizations(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, smallBodyLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.parseIssue(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.leaderOrForward(w, r, body) {
		return
	}
	providerID := principalOf(r).providerID
	expires := time.Now().Add(p.ttl).Truncate(time.Second)
	cmd := &fsmpb.IssueAuthorizations{ProviderId: providerID, ReportType: uint32(p.report),
		HasOnset: p.hasOnset, OnsetDay: p.onsetDay, ExpiresUnixMs: expires.UnixMilli()}
	plain := make([]codes.Code, p.count)
	for i := range plain {
		c, err := codes.Generate()
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		id, err := secrets.NewID(secrets.AuthorizationIDPrefix)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		h := secrets.CodeHash(s.cfg.Pepper, c)
		plain[i] = c
		cmd.Authorizations = append(cmd.Authorizations, &fsmpb.Authorization{Id: id, CodeHash: h[:]})
	}
	res, err := s.store.Propose(r.Context(), fsmpb.CommandType_COMMAND_TYPE_ISSUE_AUTHORIZATIONS, cmd)
	if err == nil {
		err = res.Err
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := authorizationsResponse{Codes: make([]issuedCode, len(plain))}
	for i, c := range plain {
		out.Codes[i] = issuedCode{Code: c.String(), ID: cmd.Authorizations[i].Id, ExpiresAt: expires.UTC().Format(time.RFC3339)}
	}
	if wantsPDF(r) {
		s.answerCardsPDF(w, r, providerID, out.Codes, expires)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) answerCardsPDF(w http.ResponseWriter, r *http.Request, providerID string, issued []issuedCode, expires time.Time) {
	name := providerID
	if pr, err := s.state.Provider(providerID); err == nil {
		name = pr.Name
	}
	cs := make([]cards.Card, len(issued))
	for i, c := range issued {
		cs[i] = cards.Card{Code: c.Code, ExpiresAt: expires.UTC()}
	}
	var buf bytes.Buffer
	if err := cards.Render(&buf, name, cs); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="tekstore-codes.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(buf.Bytes())
}
