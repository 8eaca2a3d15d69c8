package edxml

import "encoding/xml"

// The package as XML. Tags carry local names only: encoding/xml then
// matches an element in any namespace and in any order, as real senders'
// packages need (the namespace is checked once, on the envelope). Values
// are kept as text here and checked and converted in convert.go.

type wirePackage struct {
	XMLName     xml.Name
	Envelope    *wireEnvelope `xml:"edXMLEnvelope"`
	Attachments []wireAttach  `xml:"AttachmentEncoded>Attachment"`
}

type wireEnvelope struct {
	XMLName xml.Name
	Header  wireHeader `xml:"edXMLHeader"`
	Body    struct {
		Manifest struct {
			References []wireAttach `xml:"Reference"`
		} `xml:"edXMLManifest"`
	} `xml:"edXMLBody"`
}

type wireHeader struct {
	Message   *wireMessage   `xml:"MessageHeader"`
	Status    *wireStatus    `xml:"Status"` // some senders put the status fields in a Status element
	Traces    *wireTraces    `xml:"TraceHeaderList"`
	Signature *wireSignature `xml:"Signature"`
}

type wireOrgan struct {
	OrganID              string `xml:"OrganId"`
	OrganizationInCharge string `xml:"OrganizationInCharge,omitempty"`
	OrganName            string `xml:"OrganName"`
	OrganAdd             string `xml:"OrganAdd,omitempty"`
	Email                string `xml:"Email,omitempty"`
	Telephone            string `xml:"Telephone,omitempty"`
	Fax                  string `xml:"Fax,omitempty"`
	Website              string `xml:"Website,omitempty"`
}

type wireReference struct {
	OrganID          string `xml:"OrganId"`
	Code             string `xml:"Code"`
	PromulgationDate string `xml:"PromulgationDate,omitempty"`
	DocumentID       string `xml:"DocumentId"`
}

type wireStaff struct {
	Department string `xml:"Department,omitempty"`
	Staff      string `xml:"Staff,omitempty"`
	Mobile     string `xml:"Mobile,omitempty"`
	Email      string `xml:"Email,omitempty"`
}

// wireMessage is MessageHeader: a document's, or a status's (then From,
// ResponseFor, StaffInfo, StatusCode, Description, Timestamp).
type wireMessage struct {
	From       *wireOrgan  `xml:"From"`
	To         []wireOrgan `xml:"To"`
	DocumentID string      `xml:"DocumentId,omitempty"`
	Code       *struct {
		Number   string `xml:"CodeNumber"`
		Notation string `xml:"CodeNotation"`
	} `xml:"Code"`
	Promulgation *struct {
		Place string `xml:"Place"`
		Date  string `xml:"PromulgationDate"`
	} `xml:"PromulgationInfo"`
	DocumentType *struct {
		Type       string `xml:"Type"`
		TypeDetail string `xml:"TypeDetail"`
		TypeName   string `xml:"TypeName"`
	} `xml:"DocumentType"`
	Subject    string `xml:"Subject,omitempty"`
	Content    string `xml:"Content,omitempty"`
	SignerInfo *struct {
		Competence string `xml:"Competence"`
		Position   string `xml:"Position"`
		FullName   string `xml:"FullName"`
	} `xml:"SignerInfo"`
	DueDate  string `xml:"DueDate,omitempty"`
	ToPlaces *struct {
		Places []string `xml:"Place"`
	} `xml:"ToPlaces"`
	OtherInfo *struct {
		Priority             string   `xml:"Priority"`
		SphereOfPromulgation string   `xml:"SphereOfPromulgation"`
		TyperNotation        string   `xml:"TyperNotation"`
		PromulgationAmount   string   `xml:"PromulgationAmount"`
		PageAmount           string   `xml:"PageAmount"`
		Direction            string   `xml:"Direction"`
		Appendixes           []string `xml:"Appendixes>Appendix"`
	} `xml:"OtherInfo"`
	ResponseFor  []wireReference `xml:"ResponseFor"`
	SteeringType string          `xml:"SteeringType,omitempty"`
	// Status.
	StaffInfo   *wireStaff `xml:"StaffInfo"`
	StatusCode  string     `xml:"StatusCode,omitempty"`
	Description string     `xml:"Description,omitempty"`
	Timestamp   string     `xml:"Timestamp,omitempty"`
}

type wireStatus struct {
	From        *wireOrgan      `xml:"From"`
	ResponseFor []wireReference `xml:"ResponseFor"`
	StaffInfo   *wireStaff      `xml:"StaffInfo"`
	StatusCode  string          `xml:"StatusCode"`
	Description string          `xml:"Description"`
	Timestamp   string          `xml:"Timestamp"`
}

type wireTraces struct {
	Traces []struct {
		OrganID   string `xml:"OrganId"`
		Timestamp string `xml:"Timestamp"`
	} `xml:"TraceHeader"`
	Business *wireBusiness `xml:"Bussiness"`
}

type wireBusiness struct {
	DocumentID string     `xml:"DocumentId"`
	DocType    string     `xml:"BussinessDocType"`
	Reason     string     `xml:"BussinessDocReason"`
	Paper      string     `xml:"Paper"`
	Staff      *wireStaff `xml:"StaffInfo"`
	Info       *struct {
		DocumentInfo     string `xml:"DocumentInfo"`
		DocumentReceiver string `xml:"DocumentReceiver"`
		Receivers        []struct {
			OrganID string `xml:"OrganId"`
			Type    string `xml:"ReceiverType"`
		} `xml:"ReceiverList>Receiver"`
	} `xml:"BussinessDocumentInfo"`
	Replacements []struct {
		DocumentID string   `xml:"DocumentId"`
		OrganIDs   []string `xml:"OrganIdList>OrganId"`
	} `xml:"ReplacementInfoList>ReplacementInfo"`
}

type wireAttach struct {
	ContentID   string `xml:"ContentId"`
	Name        string `xml:"AttachmentName"`
	Description string `xml:"Description"`
	ContentType string `xml:"ContentType"`
	// Encoded is the attachment's index in the package (divertReader put
	// it there in place of the base64).
	Encoded *string `xml:"ContentTransferEncoded"`
}

type wireSignature struct {
	SignedInfo struct {
		SignatureMethod struct {
			Algorithm string `xml:"Algorithm,attr"`
		} `xml:"SignatureMethod"`
		Reference struct {
			DigestMethod struct {
				Algorithm string `xml:"Algorithm,attr"`
			} `xml:"DigestMethod"`
		} `xml:"Reference"`
	} `xml:"SignedInfo"`
	Certificates []string `xml:"KeyInfo>X509Data>X509Certificate"`
}
