import { CDS_NS, DISCOVERY_SOAP_ACTION } from '../soap/namespaces.constants';
import { executeServiceTail } from './execute-service.wsdl';

/**
 * The discovery service's WSDL (document/literal, wrapped), enough for an off-the-shelf SOAP client
 * to call RetrievePolicy, RetrieveOrganizations, RetrieveCrmTicket and RetrieveCrmUserIdByExternalId.
 */
export function discoveryWsdl(address: string): string {
  const s = (name: string, min = 0): string =>
    `          <s:element minOccurs="${min}" maxOccurs="1" name="${name}" type="s:string" />\n`;
  const derived = (name: string, base: string, fields: string): string =>
    `      <s:complexType name="${name}">\n` +
    `        <s:complexContent mixed="false">\n` +
    `          <s:extension base="tns:${base}">\n` +
    (fields ? `            <s:sequence>\n${fields}            </s:sequence>\n` : '') +
    `          </s:extension>\n` +
    `        </s:complexContent>\n` +
    `      </s:complexType>\n`;
  return (
    `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:s="http://www.w3.org/2001/XMLSchema" xmlns:tns="${CDS_NS}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" targetNamespace="${CDS_NS}">
  <wsdl:types>
    <s:schema elementFormDefault="qualified" targetNamespace="${CDS_NS}">
      <s:element name="Execute">
        <s:complexType>
          <s:sequence>
            <s:element minOccurs="0" maxOccurs="1" name="Request" type="tns:Request" />
          </s:sequence>
        </s:complexType>
      </s:element>
      <s:complexType name="Request" abstract="true" />
${derived('RetrievePolicyRequest', 'Request', '')}${derived('RetrieveOrganizationsRequest', 'Request', s('PassportTicket'))}${derived('RetrieveOrganizationRequest', 'Request', s('OrganizationName') + s('PassportTicket'))}${derived('RetrieveCrmTicketRequest', 'Request', s('OrganizationName') + s('PassportTicket') + s('Password') + s('UserId'))}${derived('RetrieveCrmUserIdByExternalIdRequest', 'Request', s('ExternalId') + s('OrganizationName') + s('PassportTicket'))}      <s:element name="ExecuteResponse">
        <s:complexType>
          <s:sequence>
            <s:element minOccurs="0" maxOccurs="1" name="Response" type="tns:Response" />
          </s:sequence>
        </s:complexType>
      </s:element>
      <s:complexType name="Response" abstract="true" />
      <s:complexType name="OrganizationDetail">
        <s:sequence>
${s('CrmMetadataServiceUrl')}${s('CrmServiceUrl')}${s('FriendlyName')}          <s:element minOccurs="1" maxOccurs="1" name="OrganizationId" type="s:string" />
${s('OrganizationName')}${s('WebApplicationUrl')}        </s:sequence>
      </s:complexType>
      <s:complexType name="ArrayOfOrganizationDetail">
        <s:sequence>
          <s:element minOccurs="0" maxOccurs="unbounded" name="OrganizationDetail" type="tns:OrganizationDetail" />
        </s:sequence>
      </s:complexType>
${derived('RetrievePolicyResponse', 'Response', s('Policy'))}${derived('RetrieveOrganizationsResponse', 'Response', '          <s:element minOccurs="0" maxOccurs="1" name="OrganizationDetails" type="tns:ArrayOfOrganizationDetail" />\n')}${derived('RetrieveOrganizationResponse', 'Response', '          <s:element minOccurs="0" maxOccurs="1" name="OrganizationDetail" type="tns:OrganizationDetail" />\n')}${derived('RetrieveCrmTicketResponse', 'Response', s('CrmTicket') + s('ExpirationDate') + '          <s:element minOccurs="0" maxOccurs="1" name="OrganizationDetail" type="tns:OrganizationDetail" />\n')}${derived('RetrieveCrmUserIdByExternalIdResponse', 'Response', '          <s:element minOccurs="1" maxOccurs="1" name="CrmUserId" type="s:string" />\n')}    </s:schema>
  </wsdl:types>
` +
    executeServiceTail({
      service: 'CrmDiscoveryService',
      soapAction: DISCOVERY_SOAP_ACTION,
      address,
      tokenHeader: false,
    })
  );
}
