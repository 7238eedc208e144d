-- smoke.lua - drive milter-delist through one bounce and one ordinary
-- message and check that every reply is continue or accept.
-- Run: miltertest -D socket=unix:/path -s smoke.lua

if socket == nil then
	error("define socket with -D socket=...")
end

-- expect - fail unless the last reply is one of the allowed ones
local function expect(conn, step, ...)
	local got = mt.getreply(conn)
	for _, want in ipairs({...}) do
		if got == want then
			mt.echo("ok   " .. step)
			return
		end
	end
	error(step .. ": unexpected milter reply " .. tostring(got))
end

local function check(err, step)
	if err ~= nil then
		error(step .. ": " .. err)
	end
end

local pass = {SMFIR_CONTINUE, SMFIR_ACCEPT}

-- 1. A bounce: null sender, multipart/report; the body crosses.
local conn = mt.connect(socket, 40, 0.25)
if conn == nil then
	error("cannot connect to " .. socket)
end
check(mt.negotiate(conn, nil, nil, nil), "negotiate")
-- The filter must ask for no modification action at all.
for _, act in ipairs({SMFIF_ADDHDRS, SMFIF_CHGBODY, SMFIF_ADDRCPT,
		      SMFIF_DELRCPT, SMFIF_CHGHDRS, SMFIF_QUARANTINE}) do
	if act ~= nil and mt.test_action(conn, act) then
		error("the filter asked for modification action " .. act)
	end
end
mt.echo("ok   negotiate: no modification actions requested")
check(mt.conninfo(conn, "localhost", "127.0.0.1"), "connect")
expect(conn, "connect", table.unpack(pass))
check(mt.macro(conn, SMFIC_MAIL, "i", "4ABCD1234"), "macro")
check(mt.mailfrom(conn, "<>"), "mailfrom")
expect(conn, "mail from <>", table.unpack(pass))
check(mt.rcptto(conn, "<alice@example.org>"), "rcptto")
expect(conn, "rcpt to", table.unpack(pass))
check(mt.header(conn, "From", "MAILER-DAEMON@example.org (Mail Delivery System)"), "header")
expect(conn, "header From", table.unpack(pass))
check(mt.header(conn, "Content-Type",
	"multipart/report; report-type=delivery-status; boundary=\"b1\""), "header")
expect(conn, "header Content-Type", table.unpack(pass))
check(mt.eoh(conn), "eoh")
expect(conn, "end of headers (bounce)", table.unpack(pass))
check(mt.bodystring(conn, "--b1\r\nContent-Type: text/plain\r\n\r\n" ..
	"<bob@hotmail.com>: host hotmail-com.olc.protection.outlook.com[104.47.1.1] said:\r\n" ..
	"    550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent.\r\n--b1--\r\n"), "body")
expect(conn, "body", table.unpack(pass))
check(mt.eom(conn), "eom")
expect(conn, "end of message (bounce)", table.unpack(pass))
for _, op in ipairs({MT_HDRADD, MT_HDRINSERT, MT_HDRCHANGE, MT_HDRDELETE,
		     MT_BODYCHANGE, MT_QUARANTINE}) do
	if mt.eom_check(conn, op) then
		error("the filter changed the message (operation " .. op .. ")")
	end
end
mt.echo("ok   no modification at end of message")

-- 2. An ordinary message on the same connection: accepted at the latest at
--    end of headers, so its body never crosses.
check(mt.mailfrom(conn, "<alice@example.org>"), "mailfrom")
expect(conn, "mail from", table.unpack(pass))
check(mt.rcptto(conn, "<bob@hotmail.com>"), "rcptto")
expect(conn, "rcpt to hotmail", table.unpack(pass))
check(mt.header(conn, "Subject", "hello"), "header")
expect(conn, "header", table.unpack(pass))
check(mt.eoh(conn), "eoh")
expect(conn, "end of headers (ordinary)", SMFIR_ACCEPT)

mt.disconnect(conn)
mt.echo("smoke: all replies were continue or accept")
