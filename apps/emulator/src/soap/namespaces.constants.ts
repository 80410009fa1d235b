/** SOAP envelope namespaces: the Envelope's namespace tells the protocol version. */
export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';

/** CRM 4.0 namespaces (docs/protocol.md §2.3). */
export const CDS_NS = 'http://schemas.microsoft.com/crm/2007/CrmDiscoveryService';
export const WS_NS = 'http://schemas.microsoft.com/crm/2007/WebServices';
export const CT_NS = 'http://schemas.microsoft.com/crm/2007/CoreTypes';
export const WS6_NS = 'http://schemas.microsoft.com/crm/2006/WebServices';
export const CT6_NS = 'http://schemas.microsoft.com/crm/2006/CoreTypes';
export const QUERY_NS = 'http://schemas.microsoft.com/crm/2006/Query';
export const GUID_TYPES_NS = 'http://microsoft.com/wsdl/types/';

/** Windows Live / WS-Trust namespaces (docs/protocol.md §7.2, §7.3). */
export const WST_NS = 'http://schemas.xmlsoap.org/ws/2005/02/trust';
export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
export const WSP_NS = 'http://schemas.xmlsoap.org/ws/2004/09/policy';
export const WSA_NS = 'http://www.w3.org/2005/08/addressing';
export const PSF_NS = 'http://schemas.microsoft.com/Passport/SoapServices/SOAPFault';
export const PS_NS = 'http://schemas.microsoft.com/LiveID/SoapServices/v1';
export const FED_NS = 'http://schemas.xmlsoap.org/ws/2006/03/federation';

export const WST_ISSUE = 'http://schemas.xmlsoap.org/ws/2005/02/trust/Issue';
export const DISCOVERY_SOAP_ACTION = `${CDS_NS}/Execute`;
