package connectly

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

func TestSendCampaign(t *testing.T) {
	client := mockClient(t)
	ctx := context.Background()
	resetMock(t)
	result, err := client.SendCampaign(ctx, []CampaignEntry{
		{Client: "+15555555555", CampaignName: "autumn", Variables: map[string]any{"name": "Ada", "city": ""},
			Version: "v2", Sender: "+14151111234", ScheduledAt: "2030-01-01T09:00:00Z"},
		{Client: "bsuid:US.1349", CampaignName: "autumn"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if result.Accepted == nil || *result.Accepted != 2 || result.Rejected == nil || *result.Rejected != 0 ||
		result.Error != nil || result.Response == nil || result.Response.Status != 200 || result.Response.Attempts != 1 {
		t.Errorf("result %+v, response %+v", result, result.Response)
	}
	if !sameJSON(t, result.Response.Body, []byte(`{"data":[{"acceptedCount":2,"rejectedCount":0,"error":null}]}`)) {
		t.Errorf("raw reply %s", result.Response.Body)
	}
	want := `{"entries":[{"client":"+15555555555","campaignName":"autumn","campaignVersion":"v2",` +
		`"variables":{"city":"","name":"Ada"},"sender":"+14151111234","scheduledAt":"2030-01-01T09:00:00Z"},` +
		`{"client":"bsuid:US.1349","campaignName":"autumn"}]}`
	if body := lastBody(t); !sameJSON(t, []byte(body), []byte(want)) {
		t.Errorf("sent %s\nwant %s", body, want)
	}

	// Refused before anything is sent.
	resetMock(t)
	for _, tc := range []struct {
		entries []CampaignEntry
		field   string
	}{
		{nil, "campaign entries"},
		{[]CampaignEntry{{Client: "+12", CampaignName: "autumn"}}, "client"},
		{[]CampaignEntry{{Client: "+15555555555", CampaignName: " "}}, "campaign name"},
		// A value that is not a string: the core's rule, and one JSON cannot carry.
		{[]CampaignEntry{{Client: "+15555555555", CampaignName: "autumn", Variables: map[string]any{"n": 1}}},
			"variables"},
		{[]CampaignEntry{{Client: "+15555555555", CampaignName: "autumn", Variables: map[string]any{"f": func() {}}}},
			"variables"},
	} {
		if _, err := client.SendCampaign(ctx, tc.entries); validationField(err) != tc.field {
			t.Errorf("%+v: %v, want a refusal of %q", tc.entries, err, tc.field)
		}
	}
	_, err = client.SendCampaign(ctx, []CampaignEntry{{Client: "+15555555555", CampaignName: "a\x00b"}})
	if !errors.Is(err, ErrValidation) {
		t.Errorf("a NUL byte: %v", err)
	}
	if n := len(recorded(t)); n != 0 {
		t.Errorf("refused campaigns sent %d requests", n)
	}

	// An unpublished campaign: 409 from the API.
	mockSwitch(t, "/_mock/unpublished_campaigns", `["spring"]`, `[]`)
	_, err = client.SendCampaign(ctx, []CampaignEntry{{Client: "+15555555555", CampaignName: "spring"}})
	var apiErr *APIError
	if !errors.Is(err, ErrAPI) || !errors.As(err, &apiErr) || apiErr.Status != http.StatusConflict ||
		apiErr.Code != "ERROR_CODE_CAMPAIGN_NOT_PUBLISHED" {
		t.Errorf("unpublished: %v", err)
	}
	resetMock(t)
}
