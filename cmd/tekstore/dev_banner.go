package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"text/template"
	"time"

	"github.com/tekstore/tekstore/client"
)

// devBanner is what `tekstore dev` prints once the node is ready. The curl
// lines are meant to be pasted into a POSIX shell as they are.
var devBanner = template.Must(template.New("dev").Parse(`tekstore dev: one node at {{.URL}}, data in {{.Data}} (Ctrl-C stops it; the data stays)

  Admin token:     {{.Admin}}
  Provider token:  {{.ProviderToken}}   ({{.ProviderName}}, {{.ProviderID}})
  Code:            {{.Code}}   (single use, valid until {{.Expires}})

Command line:
  export TEKSTORE_ADDR={{.URL}}
  export TEKSTORE_TOKEN={{.Admin}}    # the admin; use the provider token for 'tekstore codes issue'

Try the API: paste these lines into a shell.

# 1. An app publishes two keys with the code
PUB=$(curl -s -X POST {{.URL}}/v1/publish -H 'Content-Type: application/json' \
  -d '{"code":"{{.Code}}","keys":[{{.Keys}}]}'); echo "$PUB"
SUB=$(echo "$PUB" | sed -n 's/.*"submission":"\([^"]*\)".*/\1/p')

# 2. Anyone reads the public key set: the two keys are in it
curl -s '{{.URL}}/v1/keys?since=0'

# 3. The provider rolls the submission back
curl -s -X POST {{.URL}}/v1/submissions/$SUB/rollback -H 'Authorization: Bearer {{.ProviderToken}}' \
  -H 'Content-Type: application/json' -d '{"reason":"lab mix-up"}'

# 4. Read again: the keys are gone
curl -s '{{.URL}}/v1/keys?since=0'
`))

// devBannerData fills devBanner.
type devBannerData struct {
	URL, Data, Admin                        string
	ProviderToken, ProviderName, ProviderID string
	Code, Expires, Keys                     string
}

// printDev writes the banner with two fresh random keys from the last two
// days (whole past days, so no embargo holds them back).
func printDev(out io.Writer, url, data, admin string, d devDemo, now time.Time) {
	today := client.DayStart(now)
	keys := make([]string, 0, 2)
	for day := uint32(1); day <= 2; day++ {
		var b [16]byte
		_, _ = rand.Read(b[:])
		keys = append(keys, fmt.Sprintf(`{"key":"%s","rollingStartNumber":%d}`, base64.StdEncoding.EncodeToString(b[:]), today-day*144))
	}
	err := devBanner.Execute(out, devBannerData{
		URL: url, Data: data, Admin: admin,
		ProviderToken: d.provider.Token, ProviderName: devProviderName, ProviderID: d.provider.ID,
		Code: d.code.Code, Expires: formatTime(d.code.ExpiresAt), Keys: strings.Join(keys, ","),
	})
	if err != nil {
		fmt.Fprintln(out, "tekstore: cannot print the banner:", err)
	}
}
